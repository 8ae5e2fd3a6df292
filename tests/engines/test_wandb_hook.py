"""The optional Weights & Biases hook, against a fake ``wandb`` module (wandb itself is not installed)."""

import glob
import sys
import types

import pytest

from pointcept.engines.defaults import default_setup
from pointcept.engines.hooks import wandb as wandb_hook
from pointcept.engines.train import build_trainer
from pointcept.utils.logger import remove_file_handlers


class FakeWandb(types.ModuleType):
    """Records every call the hook makes."""

    def __init__(self):
        super().__init__("wandb")
        self.calls = []
        self.logged = []
        self.metrics = {}

    def login(self, **kwargs):
        self.calls.append(("login", kwargs))
        return True

    def init(self, **kwargs):
        self.calls.append(("init", kwargs))
        return types.SimpleNamespace(id=kwargs.get("id") or "run123")

    def define_metric(self, name, step_metric=None):
        self.metrics[name] = step_metric

    def log(self, record):
        self.logged.append(dict(record))

    def finish(self, exit_code=0):
        self.calls.append(("finish", {"exit_code": exit_code}))

    def call(self, name):
        return [kwargs for n, kwargs in self.calls if n == name]


@pytest.fixture
def fake_wandb(monkeypatch, tmp_path):
    fake = FakeWandb()
    monkeypatch.setitem(sys.modules, "wandb", fake)
    for var in ("WANDB_MODE", "WANDB_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))  # no `wandb login` on this machine
    monkeypatch.setattr(wandb_hook, "wandb_reachable", lambda *a, **k: pytest.fail("network probed"))
    return fake


def tensorboard_scalars(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    out = set()
    for path in glob.glob(str(folder / "events.out.tfevents*")):
        events = EventAccumulator(path)
        events.Reload()
        for tag in events.Tags()["scalars"]:
            out |= {(tag, e.step, round(e.value, 5)) for e in events.Scalars(tag)}
    return out


def test_logs_the_tensorboard_scalars_offline_without_a_key(fake_wandb, tiny_root, tmp_path, make_config, train_config):
    save = tmp_path / "exp" / "tiny" / "wb"
    cfg = make_config(tiny_root, save, epoch=2, eval_epoch=2,
                      **{"+enable_wandb": True, "+wandb_project": "my-project", "+wandb_key": None})
    trainer = train_config(cfg)
    (init,) = fake_wandb.call("init")
    assert init["mode"] == "offline" and init["project"] == "my-project" and init["name"] == "tiny/wb"
    assert init["dir"] == str(save) and init["config"]["batch_size"] == 4 and init["tags"] == ["tiny"]
    assert fake_wandb.call("login") == [] and fake_wandb.call("finish") == [{"exit_code": 0}]
    logged = set()
    for record in fake_wandb.logged:
        ((tag, value),) = [(k, v) for k, v in record.items() if not k.startswith("step/")]
        logged.add((tag, record[f"step/{tag.split('/')[0]}"], round(value, 5)))
    tensorboard = tensorboard_scalars(save)
    assert any(tag.startswith("train_batch/") for tag, _, _ in tensorboard)
    assert any(tag.startswith("val/") for tag, _, _ in tensorboard)
    assert logged == tensorboard
    assert fake_wandb.metrics["train_batch/*"] == "step/train_batch"
    assert type(trainer.writer).__name__ == "SummaryWriter"  # the tee is removed after training
    assert trainer.hooks[-1].state_dict() == {"run_id": "run123"}


def test_missing_wandb_names_the_install_command(monkeypatch, tiny_root, tmp_path, make_config):
    monkeypatch.setitem(sys.modules, "wandb", None)  # import wandb -> ImportError
    cfg = make_config(tiny_root, tmp_path / "x", **{"+enable_wandb": True})
    default_setup(cfg)
    with pytest.raises(ImportError, match="pip install wandb"):
        build_trainer(cfg)
    remove_file_handlers()


def test_mode_online_with_key_and_network_else_offline(fake_wandb, monkeypatch):
    hook = wandb_hook.WandbLogger()
    monkeypatch.setattr(wandb_hook, "wandb_reachable", lambda *a, **k: True)
    assert hook.choose_mode("secret")[0] == "online"
    assert hook.choose_mode(None)[0] == "offline"  # no key, no login
    monkeypatch.setenv("WANDB_API_KEY", "from-env")
    assert hook.choose_mode(None)[0] == "online"
    monkeypatch.setattr(wandb_hook, "wandb_reachable", lambda *a, **k: False)
    assert hook.choose_mode("secret") == ("offline", "api.wandb.ai cannot be reached")
    monkeypatch.setenv("WANDB_MODE", "disabled")
    assert hook.choose_mode("secret")[0] == "disabled"


def test_key_logs_in_and_resume_continues_the_run(fake_wandb, monkeypatch, tiny_root, tmp_path, make_config, train_config):
    monkeypatch.setattr(wandb_hook, "wandb_reachable", lambda *a, **k: True)
    cfg = make_config(tiny_root, tmp_path / "exp" / "a" / "b", epoch=1, eval_epoch=1, evaluate=False,
                      **{"+enable_wandb": True, "+wandb_key": "secret"})
    train_config(cfg)
    assert fake_wandb.call("login") == [{"key": "secret", "relogin": True}]
    assert fake_wandb.call("init")[0]["mode"] == "online" and fake_wandb.call("init")[0]["id"] is None
    cfg.resume = True  # the run id comes back from model_last.pth with the hook's state
    train_config(cfg)
    assert fake_wandb.call("init")[1]["id"] == "run123" and fake_wandb.call("init")[1]["resume"] == "allow"


def test_other_ranks_do_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "wandb", None)  # not even imported off the main process
    monkeypatch.setattr(wandb_hook, "is_main_process", lambda: False)
    hook = wandb_hook.WandbLogger()
    hook.trainer = types.SimpleNamespace(cfg={}, writer=None)
    hook.before_train()
    hook.after_train()
    assert hook.run is None
