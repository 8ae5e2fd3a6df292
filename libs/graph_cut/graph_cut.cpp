// Felzenszwalb-Huttenlocher graph segmentation with ScanNet-segmentator edge weights (plain C ABI).
//
// Written for pointcept (GroupContrast geometry segments) and loaded with ctypes; no Python headers.
// The numpy fallback pointcept/datasets/preprocessing/graph_cut_python.py must give identical labels,
// so every arithmetic step below is mirrored there in the same order and precision. Build with
// -ffp-contract=off (no fused multiply-add) to keep that true on every CPU.
//
// Algorithm (matching ScanNet's Segmentator on its meshes):
//   * vertex normal = running mean (in face order) of the UNIT face normals, not renormalised;
//   * three directed edges per face: (i1,i2), (i1,i3), (i3,i2);
//   * weight w = 1 - n_a.n_b, squared when n_b.(p_b - p_a)/|p_b - p_a| > 0 (convex: much cheaper);
//   * edges visited by increasing weight (stable: ties in input order, NaN last);
//   * join components A, B when w <= T(A) and w <= T(B); then T(A+B) = w + k / |A+B|;
//   * second pass over the same sorted edges joins any pair where either side is below min_size.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <vector>

#define GC_ABI_VERSION 3

namespace {

struct Forest {
  std::vector<int64_t> parent, size;
  std::vector<int32_t> rank;
  explicit Forest(int64_t n) : parent(n), size(n, 1), rank(n, 0) {
    for (int64_t i = 0; i < n; ++i) parent[i] = i;
  }
  int64_t find(int64_t x) {
    while (parent[x] != x) {  // path halving; labels do not depend on the compression scheme
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }
  // Union by rank exactly as the official code: ties attach x under y.
  int64_t join(int64_t x, int64_t y) {
    if (rank[x] > rank[y]) {
      parent[y] = x;
      size[x] += size[y];
      return x;
    }
    parent[x] = y;
    size[y] += size[x];
    if (rank[x] == rank[y]) rank[y]++;
    return y;
  }
};

// Monotone unsigned key of a float/double: -0 == +0, every NaN after +inf.
inline uint32_t sort_key(float w) {
  if (std::isnan(w)) return 0xFFFFFFFFu;
  if (w == 0.0f) w = 0.0f;
  uint32_t u;
  std::memcpy(&u, &w, sizeof u);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
inline uint64_t sort_key(double w) {
  if (std::isnan(w)) return 0xFFFFFFFFFFFFFFFFull;
  if (w == 0.0) w = 0.0;
  uint64_t u;
  std::memcpy(&u, &w, sizeof u);
  return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}

// Stable LSD radix sort of edge indices by weight (byte digits; constant digits are skipped).
template <typename Real>
std::vector<int64_t> stable_order(int64_t n, const Real* w) {
  using Key = decltype(sort_key(Real(0)));
  std::vector<Key> keys(n), keys2(n);
  std::vector<int64_t> idx(n), idx2(n);
  for (int64_t i = 0; i < n; ++i) {
    keys[i] = sort_key(w[i]);
    idx[i] = i;
  }
  for (unsigned shift = 0; shift < 8 * sizeof(Key); shift += 8) {
    int64_t count[257] = {0};
    for (int64_t i = 0; i < n; ++i) count[((keys[i] >> shift) & 0xFF) + 1]++;
    bool trivial = false;
    for (int d = 1; d <= 256; ++d) trivial |= (count[d] == n);
    if (trivial) continue;
    for (int d = 0; d < 256; ++d) count[d + 1] += count[d];
    for (int64_t i = 0; i < n; ++i) {
      int64_t pos = count[(keys[i] >> shift) & 0xFF]++;
      keys2[pos] = keys[i];
      idx2[pos] = idx[i];
    }
    keys.swap(keys2);
    idx.swap(idx2);
  }
  return idx;
}

template <typename Real>
void vertex_normals(int64_t nv, const Real* v, int64_t nf, const int64_t* f, Real* out) {
  std::vector<int64_t> counts(nv, 0);
  for (int64_t i = 0; i < 3 * nv; ++i) out[i] = Real(0);
  for (int64_t i = 0; i < nf; ++i) {
    const int64_t i1 = f[3 * i], i2 = f[3 * i + 1], i3 = f[3 * i + 2];
    const Real* p1 = v + 3 * i1;
    const Real* p2 = v + 3 * i2;
    const Real* p3 = v + 3 * i3;
    const Real ux = p2[0] - p1[0], uy = p2[1] - p1[1], uz = p2[2] - p1[2];
    const Real vx = p3[0] - p1[0], vy = p3[1] - p1[1], vz = p3[2] - p1[2];
    Real cx = uy * vz - uz * vy;
    Real cy = uz * vx - ux * vz;
    Real cz = ux * vy - uy * vx;
    const Real norm = std::sqrt(cx * cx + cy * cy + cz * cz);
    cx = cx / norm;
    cy = cy / norm;
    cz = cz / norm;
    // Degenerate faces would make every touching vertex NaN in the official tool: skip them.
    if (!(norm > Real(0)) || !std::isfinite(cx) || !std::isfinite(cy) || !std::isfinite(cz)) continue;
    const int64_t ids[3] = {i1, i2, i3};
    for (int k = 0; k < 3; ++k) {
      Real* n = out + 3 * ids[k];
      const Real t = Real(1) / (Real(counts[ids[k]]) + Real(1));
      const Real s = Real(1) - t;
      n[0] = t * cx + s * n[0];
      n[1] = t * cy + s * n[1];
      n[2] = t * cz + s * n[2];
      counts[ids[k]]++;
    }
  }
}

template <typename Real>
void edge_weights(int64_t ne, const int64_t* a, const int64_t* b, const Real* p, const Real* n, int flags,
                  Real* out) {
  const bool convex_square = flags & 1, absolute_dot = flags & 2;
  for (int64_t i = 0; i < ne; ++i) {
    const Real* p1 = p + 3 * a[i];
    const Real* p2 = p + 3 * b[i];
    const Real* n1 = n + 3 * a[i];
    const Real* n2 = n + 3 * b[i];
    Real dx = p2[0] - p1[0], dy = p2[1] - p1[1], dz = p2[2] - p1[2];
    const Real dd = std::sqrt(dx * dx + dy * dy + dz * dz);
    dx = dx / dd;
    dy = dy / dd;
    dz = dz / dd;
    Real dot = n1[0] * n2[0] + n1[1] * n2[1] + n1[2] * n2[2];
    const Real dot2 = n2[0] * dx + n2[1] * dy + n2[2] * dz;
    if (absolute_dot) dot = std::fabs(dot);
    Real w = Real(1) - dot;
    if (convex_square && dot2 > Real(0)) w = w * w;
    out[i] = w;
  }
}

template <typename Real>
void segment_graph(int64_t nv, int64_t ne, const int64_t* a, const int64_t* b, const Real* w, Real c,
                   int64_t min_size, int64_t* labels) {
  const std::vector<int64_t> order = stable_order(ne, w);
  Forest u(nv);
  std::vector<Real> threshold(nv, c);
  for (int64_t j = 0; j < ne; ++j) {
    const int64_t e = order[j];
    int64_t ra = u.find(a[e]), rb = u.find(b[e]);
    if (ra == rb) continue;
    const Real we = w[e];
    if (we <= threshold[ra] && we <= threshold[rb]) {
      const int64_t root = u.join(ra, rb);
      threshold[root] = we + c / Real(u.size[root]);
    }
  }
  if (min_size > 1) {
    for (int64_t j = 0; j < ne; ++j) {
      const int64_t e = order[j];
      int64_t ra = u.find(a[e]), rb = u.find(b[e]);
      if (ra != rb && (u.size[ra] < min_size || u.size[rb] < min_size)) u.join(ra, rb);
    }
  }
  for (int64_t i = 0; i < nv; ++i) labels[i] = u.find(i);
}

bool indices_ok(int64_t count, const int64_t* idx, int64_t limit) {
  for (int64_t i = 0; i < count; ++i)
    if (idx[i] < 0 || idx[i] >= limit) return false;
  return true;
}

template <typename Real>
int segment_mesh(int64_t nv, const Real* v, int64_t nf, const int64_t* f, Real c, int64_t min_size,
                 int64_t* labels) {
  if (!indices_ok(3 * nf, f, nv)) return 1;
  std::vector<Real> normals(3 * nv);
  vertex_normals(nv, v, nf, f, normals.data());
  std::vector<int64_t> ea(3 * nf), eb(3 * nf);
  for (int64_t i = 0; i < nf; ++i) {
    ea[3 * i] = f[3 * i];         eb[3 * i] = f[3 * i + 1];
    ea[3 * i + 1] = f[3 * i];     eb[3 * i + 1] = f[3 * i + 2];
    ea[3 * i + 2] = f[3 * i + 2]; eb[3 * i + 2] = f[3 * i + 1];
  }
  std::vector<Real> w(3 * nf);
  edge_weights(3 * nf, ea.data(), eb.data(), v, normals.data(), 1, w.data());
  segment_graph(nv, 3 * nf, ea.data(), eb.data(), w.data(), c, min_size, labels);
  return 0;
}

}  // namespace

// Return codes: 0 ok, 1 index out of range, 2 out of memory.
#define GC_GUARD(body)                 \
  try {                                \
    body                               \
  } catch (const std::bad_alloc&) {    \
    return 2;                          \
  }

extern "C" {

int gc_abi_version(void) { return GC_ABI_VERSION; }

int gc_mesh_vertex_normals_f32(int64_t nv, const float* v, int64_t nf, const int64_t* f, float* out) {
  GC_GUARD(if (!indices_ok(3 * nf, f, nv)) return 1; vertex_normals(nv, v, nf, f, out); return 0;)
}
int gc_mesh_vertex_normals_f64(int64_t nv, const double* v, int64_t nf, const int64_t* f, double* out) {
  GC_GUARD(if (!indices_ok(3 * nf, f, nv)) return 1; vertex_normals(nv, v, nf, f, out); return 0;)
}

int gc_edge_weights_f32(int64_t np, int64_t ne, const int64_t* a, const int64_t* b, const float* p,
                        const float* n, int flags, float* out) {
  GC_GUARD(if (!indices_ok(ne, a, np) || !indices_ok(ne, b, np)) return 1;
           edge_weights(ne, a, b, p, n, flags, out); return 0;)
}
int gc_edge_weights_f64(int64_t np, int64_t ne, const int64_t* a, const int64_t* b, const double* p,
                        const double* n, int flags, double* out) {
  GC_GUARD(if (!indices_ok(ne, a, np) || !indices_ok(ne, b, np)) return 1;
           edge_weights(ne, a, b, p, n, flags, out); return 0;)
}

int gc_segment_graph_f32(int64_t nv, int64_t ne, const int64_t* a, const int64_t* b, const float* w, float c,
                         int64_t min_size, int64_t* labels) {
  GC_GUARD(if (!indices_ok(ne, a, nv) || !indices_ok(ne, b, nv)) return 1;
           segment_graph(nv, ne, a, b, w, c, min_size, labels); return 0;)
}
int gc_segment_graph_f64(int64_t nv, int64_t ne, const int64_t* a, const int64_t* b, const double* w,
                         double c, int64_t min_size, int64_t* labels) {
  GC_GUARD(if (!indices_ok(ne, a, nv) || !indices_ok(ne, b, nv)) return 1;
           segment_graph(nv, ne, a, b, w, c, min_size, labels); return 0;)
}

int gc_segment_mesh_f32(int64_t nv, const float* v, int64_t nf, const int64_t* f, float c, int64_t min_size,
                        int64_t* labels) {
  GC_GUARD(return segment_mesh(nv, v, nf, f, c, min_size, labels);)
}
int gc_segment_mesh_f64(int64_t nv, const double* v, int64_t nf, const int64_t* f, double c,
                        int64_t min_size, int64_t* labels) {
  GC_GUARD(return segment_mesh(nv, v, nf, f, c, min_size, labels);)
}

}  // extern "C"
