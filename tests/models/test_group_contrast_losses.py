"""GroupContrast losses against straightforward loops over Eq. 1-8."""

import math

import pytest
import torch

from pointcept.models.group_contrast.losses import group_loss, semantic_contrast_loss


def loop_group_loss(z_q, z_k, proto_q, proto_k, center, tau_s, tau_t, informative):
    P, n = z_q.shape[0], proto_q.shape[0]
    losses, weights, K_rows = [], [], []
    for s in range(P):
        zq = z_q[s] / z_q[s].norm()
        zk = z_k[s] / z_k[s].norm()
        q_logits = [float(zq @ (proto_q[j] / proto_q[j].norm())) / tau_s for j in range(n)]
        k_logits = [(float(zk @ (proto_k[j] / proto_k[j].norm())) - float(center[j])) / tau_t for j in range(n)]
        q_max, k_max = max(q_logits), max(k_logits)
        q_norm = sum(math.exp(v - q_max) for v in q_logits)
        k_norm = sum(math.exp(v - k_max) for v in k_logits)
        Q = [math.exp(v - q_max) / q_norm for v in q_logits]
        K = [math.exp(v - k_max) / k_norm for v in k_logits]
        ce = -sum(K[j] * math.log(Q[j]) for j in range(n))
        entropy = -sum(k * math.log(k) for k in K if k > 0)
        weights.append(entropy if informative else 1.0)  # Eq. 4: H_i, normalised by sum_i H_i below
        losses.append(ce)
        K_rows.append(K)
    loss = sum(w * l for w, l in zip(weights, losses)) / sum(weights)
    return loss, torch.tensor(K_rows, dtype=torch.float64)


def loop_contrast_loss(v_q, v_k, label_q, label_k, weight, tau):
    total, count = 0.0, 0
    for i in range(len(v_q)):
        a = v_q[i] / v_q[i].norm()
        sims = [float(a @ (v_k[m] / v_k[m].norm())) / tau for m in range(len(v_k))]
        negatives = sum(math.exp(sims[m]) for m in range(len(v_k)) if label_k[m] != label_q[i])
        for j in range(len(v_k)):
            if label_q[i] == label_k[j]:
                c = 1.0 if weight is None else float(weight[i, j])
                total += -c * math.log(math.exp(sims[j]) / (math.exp(sims[j]) + negatives))
                count += 1
    return total / count


@pytest.fixture
def grouping_inputs():
    g = torch.Generator().manual_seed(0)
    return dict(
        z_q=torch.randn(7, 5, generator=g, dtype=torch.float64) * 3,
        z_k=torch.randn(7, 5, generator=g, dtype=torch.float64) * 2,
        proto_q=torch.randn(4, 5, generator=g, dtype=torch.float64),
        proto_k=torch.randn(4, 5, generator=g, dtype=torch.float64) * 5,
        center=torch.randn(4, generator=g, dtype=torch.float64) * 0.1,
    )


@pytest.mark.parametrize("informative", [True, False])
@pytest.mark.parametrize("tau_s,tau_t", [(0.1, 0.07), (0.2, 0.2)])
def test_group_loss_matches_the_loop(grouping_inputs, informative, tau_s, tau_t):
    loss, K = group_loss(**grouping_inputs, tau_s=tau_s, tau_t=tau_t, informative=informative)
    expected, expected_K = loop_group_loss(**grouping_inputs, tau_s=tau_s, tau_t=tau_t, informative=informative)
    assert float(loss) == pytest.approx(expected, abs=1e-5)
    torch.testing.assert_close(K, expected_K, atol=1e-5, rtol=0)


def test_group_loss_gives_no_gradient_to_the_teacher(grouping_inputs):
    inputs = {k: v.clone().requires_grad_(True) for k, v in grouping_inputs.items()}
    loss, K = group_loss(**inputs)
    loss.backward()
    assert inputs["z_q"].grad is not None and inputs["proto_q"].grad is not None
    assert inputs["z_q"].grad.abs().sum() > 0
    for teacher_side in ("z_k", "proto_k", "center"):
        assert inputs[teacher_side].grad is None
    assert not K.requires_grad


def test_group_loss_centering_changes_the_teacher_assignment(grouping_inputs):
    _, K0 = group_loss(**{**grouping_inputs, "center": torch.zeros(4, dtype=torch.float64)})
    _, K1 = group_loss(**{**grouping_inputs, "center": torch.tensor([5.0, 0, 0, 0], dtype=torch.float64)})
    assert (K1[:, 0] < K0[:, 0]).all()


@pytest.mark.parametrize("with_weight", [True, False])
def test_semantic_contrast_loss_matches_the_loop(with_weight):
    g = torch.Generator().manual_seed(1)
    v_q = torch.randn(9, 6, generator=g, dtype=torch.float64) * 2
    v_k = torch.randn(9, 6, generator=g, dtype=torch.float64)
    label_q = torch.tensor([0, 1, 2, 0, 1, 3, 3, 0, 5])
    label_k = torch.tensor([1, 1, 0, 2, 3, 0, 4, 4, 2])
    weight = torch.rand(9, 9, generator=g, dtype=torch.float64) if with_weight else None
    loss = semantic_contrast_loss(v_q, v_k, label_q, label_k, weight, tau=0.4)
    expected = loop_contrast_loss(v_q, v_k, label_q, label_k, weight, 0.4)
    assert float(loss) == pytest.approx(expected, abs=1e-5)


def test_semantic_contrast_with_identity_labels_is_point_infonce():
    g = torch.Generator().manual_seed(2)
    v_q, v_k = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    ids = torch.arange(6)
    logits = torch.nn.functional.normalize(v_q, dim=1) @ torch.nn.functional.normalize(v_k, dim=1).t() / 0.4
    expected = torch.nn.functional.cross_entropy(logits, ids)
    assert float(semantic_contrast_loss(v_q, v_k, ids, ids)) == pytest.approx(float(expected), abs=1e-5)


def test_semantic_contrast_gradients_and_edge_cases():
    v_q = torch.randn(4, 3, requires_grad=True)
    v_k = torch.randn(4, 3, requires_grad=True)
    loss = semantic_contrast_loss(v_q, v_k, torch.tensor([0, 0, 1, 1]), torch.tensor([0, 1, 1, 1]))
    loss.backward()
    assert v_q.grad.abs().sum() > 0 and v_k.grad is None
    no_positive = semantic_contrast_loss(v_q, v_k, torch.tensor([0, 0, 0, 0]), torch.tensor([1, 1, 1, 1]))
    assert float(no_positive) == 0.0
    with pytest.raises(ValueError, match="weight must be"):
        semantic_contrast_loss(v_q, v_k, torch.zeros(4), torch.zeros(4), weight=torch.ones(3, 3))


def test_eq4_weights_uncertain_segments_more():
    """Eq. 4: w_i = H_i / sum_k H_k, so the near-uniform teacher row outweighs the near one-hot one."""
    from pointcept.models.group_contrast.losses import informative_weights

    K = torch.tensor([[0.97, 0.01, 0.01, 0.01], [0.25, 0.25, 0.25, 0.25], [0.5, 0.5, 0.0, 0.0]], dtype=torch.float64)
    w = informative_weights(K)
    H = [-sum(p * math.log(p) for p in row if p > 0) for row in K.tolist()]
    expected = torch.tensor([h / sum(H) for h in H], dtype=torch.float64)
    torch.testing.assert_close(w, expected, atol=1e-12, rtol=0)
    assert w[1] > w[2] > w[0]
    assert float(w.sum()) == pytest.approx(1.0)
    # all rows one-hot: Eq. 4 is 0/0, the uniform mean of Eq. 2 is used
    torch.testing.assert_close(informative_weights(torch.eye(3, dtype=torch.float64)),
                               torch.full((3,), 1 / 3, dtype=torch.float64))
