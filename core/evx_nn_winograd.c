/* evx_nn_winograd.c: Winograd F(4, 3) and F(2, 5) for the 1-D convolutions
 * of the temporal networks (evx_nn_winograd.h). The input and output
 * transforms are constants of the kernels (evx_nn_kernels.c); the weights'
 * transform is made here from the same points: g[p][k] = p^k over the
 * product of (p - q) for the other finite points q, and the last tap at
 * infinity. F(4, 5) (8 points, with +-1/2) would save more products, but
 * its rounding error, twice the direct conv's, does not fit the direct
 * conv's tolerance. */
#include "evx_nn_winograd.h"
#include <string.h>

static const double points[EVX_WG_A - 1] = { 0, 1, -1, 2, -2 };

/* Below these, the transforms cost more than the products they save (the
 * seed network's 32 -> 64 channels over 48 positions stays direct). */
#define WG_MIN_CH 32u
#define WG_MIN_W 64u

/* The products at a point are larger than the outputs they cancel down
 * to, so their sum over the input channels is taken in chunks of this many
 * channels, each its own FMA chain, added in order: about the rounding
 * error of the direct conv's one chain (tests/nn/test_nn_layers.c holds
 * both to the same tolerance). */
#define WG_CHUNK 16u

int evx_wg_applies(const evx_isa *isa, const evx_layer *l)
{
  return isa->fma && (l->type == EVX_LAYER_CONV1D || l->type == EVX_LAYER_CONV2D) && l->kh == 1 &&
         l->in.h == 1 && l->ph == 0 && l->sw == 1 && (l->kw == 3 || l->kw == 5) &&
         l->in.c >= WG_MIN_CH && l->out_ch >= WG_MIN_CH && l->out.w >= WG_MIN_W;
}

uint32_t evx_wg_m(uint32_t kw) { return EVX_WG_A + 1 - kw; }
static size_t tiles(const evx_layer *l) { return (l->out.w + evx_wg_m(l->kw) - 1) / evx_wg_m(l->kw); }
static size_t row_of(const evx_isa *isa, const evx_layer *l)
{
  return (tiles(l) + isa->vl - 1) / isa->vl * isa->vl;
}
static size_t blocks(const evx_isa *isa, size_t out_c) { return (out_c + isa->oct - 1) / isa->oct; }
static size_t up16(size_t n) { return (n + 15) & ~(size_t)15; } /* floats, 64 bytes */
static size_t packed_len(const evx_isa *isa, const evx_layer *l)
{
  return EVX_WG_A * blocks(isa, l->out_ch) * isa->oct * l->in.c;
}

/* A padded row: m * (T + 2 vl) floats, what wg_in reads, to 64 bytes so
 * that the rows of v and m after them stay aligned as the arena is. */
static size_t padded_len(const evx_isa *isa, size_t T, uint32_t m)
{
  return up16(m * (T + 2 * isa->vl));
}

size_t evx_wg_scratch_len(const evx_isa *isa, const evx_layer *l)
{
  size_t row = row_of(isa, l), pad = padded_len(isa, tiles(l), evx_wg_m(l->kw));
  return (l->in.c + 1) * pad + EVX_WG_A * (l->in.c + l->out_ch) * row;
}

size_t evx_wg_params_len(const evx_isa *isa, const evx_layer *l)
{
  return up16(packed_len(isa, l)) + up16(l->out_ch);
}

/* g (EVX_WG_A x r) for r taps, in double. */
static void weight_matrix(size_t r, double g[EVX_WG_A][5])
{
  size_t fin = EVX_WG_A - 1; /* finite points */
  for (size_t i = 0; i <= fin; i++)
    for (size_t k = 0; k < r; k++) {
      double v = i == fin ? (k == r - 1) : 1.0;
      for (size_t j = 0; j < fin && i < fin; j++)
        if (j != i) v /= points[i] - points[j];
      for (size_t e = 0; e < k && i < fin; e++) v *= points[i];
      g[i][k] = v;
    }
}

/* Point p's weights as a 1x1 conv's, packed as the conv tile reads them:
 * [p][ceil(out/oct)][in][oct], each the double sum of g[p][k] w[oc][ic][k]
 * rounded once; then the bias. */
void evx_wg_pack(const evx_isa *isa, const evx_layer *l, float *params, evx_kargs *k)
{
  double g[EVX_WG_A][5];
  float *u = params, *bias = u + up16(packed_len(isa, l));
  size_t C = l->in.c, B = isa->oct, nb = blocks(isa, l->out_ch), r = l->kw;
  weight_matrix(r, g);
  memset(u, 0, packed_len(isa, l) * sizeof *u);
  /* the points innermost: each filter's taps read once (the trainer packs
   * every step) */
  for (size_t oc = 0; oc < l->out_ch; oc++)
    for (size_t ic = 0; ic < C; ic++) {
      const float *w = l->w.weight + (oc * C + ic) * r;
      for (size_t p = 0; p < EVX_WG_A; p++) {
        double s = 0.0;
        for (size_t t = 0; t < r; t++) s += g[p][t] * w[t];
        u[((p * nb + oc / B) * C + ic) * B + oc % B] = (float)s;
      }
    }
  for (size_t oc = 0; oc < l->out_ch; oc++) bias[oc] = l->w.bias ? l->w.bias[oc] : 0.0f;
  k->w = u;
  k->b = bias;
}

/* Where the passes meet in the scratch: the padded rows [in.c][pad], then
 * v [EVX_WG_A][in.c][row], m [EVX_WG_A][out.c][row], and wg_in's phases
 * [pad]; tiles of m positions. */
typedef struct {
  size_t T, row, pad;
  uint32_t m;
  float *x, *v, *mp, *ph;
} wg_geom;

static wg_geom geom(const evx_kargs *k)
{
  wg_geom g;
  g.m = evx_wg_m(k->kw);
  g.T = (k->out.w + g.m - 1) / g.m;
  g.row = (g.T + k->isa->vl - 1) / k->isa->vl * k->isa->vl;
  g.pad = padded_len(k->isa, g.T, g.m);
  g.x = k->scratch;
  g.v = g.x + k->in.c * g.pad;
  g.mp = g.v + EVX_WG_A * k->in.c * g.row;
  g.ph = g.mp + EVX_WG_A * k->out.c * g.row;
  return g;
}

/* The direct conv's pad, rows as long as the tiles read. */
void evx_k_wg_in(const evx_kargs *k, uint32_t u0, uint32_t u1)
{
  wg_geom g = geom(k);
  size_t W = k->in.w, pw = k->pw, n = W < g.pad - pw ? W : g.pad - pw;
  for (size_t c = u0; c < u1; c++) {
    float *row = g.x + c * g.pad;
    memset(row, 0, pw * sizeof *row);
    memcpy(row + pw, k->src + c * W, n * sizeof *row);
    memset(row + pw + n, 0, (g.pad - pw - n) * sizeof *row);
  }
}

/* Piece c: input channel c's transform. */
static void inputs(const evx_kargs *k, const wg_geom *g, size_t c0, size_t c1)
{
  for (size_t c = c0; c < c1; c++)
    k->isa->wg_in(g->x + c * g->pad, g->T, g->m, g->v + c * g->row, k->in.c * g->row, g->ph);
}

/* Piece u: one point, one block of oct output channels, one strip of
 * tiles; the bias waits for the output transform. */
static void products(const evx_kargs *k, const wg_geom *g, size_t u0, size_t u1)
{
  size_t C = k->in.c, B = k->isa->oct, VLn = k->isa->vl, strips = g->row / VLn;
  size_t nb = blocks(k->isa, k->out.c);
  for (size_t u = u0; u < u1; u++) {
    size_t p = u / (nb * strips), blk = u / strips % nb, t0 = u % strips * VLn;
    size_t oc0 = blk * B, noc = k->out.c - oc0 < B ? k->out.c - oc0 : B;
    k->isa->wg_gemm(g->v + p * C * g->row + t0, C, g->row, k->w + (p * nb + blk) * C * B,
                    g->T - t0, g->mp + (p * k->out.c + oc0) * g->row + t0, g->row, noc, WG_CHUNK);
  }
}

/* Piece oc: output channel oc from its products. */
static void outputs(const evx_kargs *k, const wg_geom *g, size_t oc0, size_t oc1)
{
  for (size_t oc = oc0; oc < oc1; oc++)
    k->isa->wg_out(g->mp + oc * g->row, k->out.c * g->row, g->T, g->m, k->b[oc], (int)k->relu,
                   k->dst + oc * k->out.w, k->out.w);
}

/* The direct conv's unit u covers pieces [u P / N, (u + 1) P / N) of the
 * P = input transforms, products, outputs, in that order: each stage is
 * done before the next reads it, and each piece is computed alike whatever
 * the slice. */
void evx_k_wg_conv(const evx_kargs *k, uint32_t u0, uint32_t u1)
{
  wg_geom g = geom(k);
  uint64_t nb = blocks(k->isa, k->out.c), n = evx_conv_units(k->isa, k->out);
  uint64_t end[3] = { k->in.c, 0, 0 };
  end[1] = end[0] + EVX_WG_A * nb * (g.row / k->isa->vl);
  end[2] = end[1] + k->out.c;
  uint64_t p0 = u0 * end[2] / n, p1 = u1 * end[2] / n;
  for (int s = 0; s < 3; s++) {
    uint64_t b = s ? end[s - 1] : 0, a0 = p0 > b ? p0 : b, a1 = p1 < end[s] ? p1 : end[s];
    if (a0 >= a1) continue;
    if (s == 0) inputs(k, &g, a0, a1);
    else if (s == 1) products(k, &g, a0 - b, a1 - b);
    else outputs(k, &g, a0 - b, a1 - b);
  }
}

void evx_wg_run(const evx_kargs *k)
{
  evx_k_wg_in(k, 0, k->in.c);
  evx_k_wg_conv(k, 0, evx_conv_units(k->isa, k->out));
}
