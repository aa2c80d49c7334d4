/* evx_resample.c: streaming polyphase resampler, any rate 8..192 kHz to
 * 16 kHz (evx_resample.h, docs/resampler.md).
 *
 * Output j lies at input time j * down / up (an exact integer ratio from the
 * rate rounded to 1 mHz), tracked as an integer phase, so the result does not
 * depend on how the input is blocked. Each output is one inner product of the
 * last `taps` inputs with a row of the Kaiser windowed-sinc table; when the
 * ratio needs too many rows, a finer fixed table is used and the two rows
 * around the phase are interpolated linearly. */
#include "evx_resample.h"
#include "evx_rs_design.h"
#include "evx_rs_dot.h"
#include "evx_sanitize.h"

#include <math.h>
#include <string.h>

#define OUT_RATE_MHZ 16000000ull   /* 16 kHz in mHz */
/* Interpolated tables get this many rows per cycle of the cutoff: the
 * linear interpolation error, (2 pi cutoff / rows)^2 / 8, stays near
 * -110 dB. */
#define INTERP_ROWS_PER_CYCLE 1250.0
/* Exact tables (one row per phase) are used up to this many floats, or
 * whenever they are no larger than the interpolated one. */
#define EXACT_TABLE_MAX (1u << 17)
/* Inputs are taken CHUNK at a time: cleaned into the ring in one
 * vectorised pass, then every output they complete is computed, four at a
 * time (evx_rs_dot4). The ring holds taps + CHUNK inputs, so no window of
 * the chunk is overwritten by the chunk itself. */
#define GROUP 4u
#define CHUNK 1024u
/* Inputs are clamped to this so no inner product can overflow float, and
 * flushed to 0 below SAMPLE_FLUSH so denormals never slow the filter. */
#define SAMPLE_LIMIT 1e30f
#define SAMPLE_FLUSH 1e-20f

struct evx_rs {
  uint32_t up, down;      /* output j is at input time j * down / up */
  uint32_t down_quot, down_rem; /* down / up, down % up */
  uint32_t max_in, max_out;
  uint32_t taps;          /* inputs per output (0: pass-through) */
  uint32_t rows_per_in;   /* table rows per input sample */
  int exact;              /* rows_per_in == up: no interpolation */
  double delay;           /* output samples */
  const float *table;     /* (rows_per_in + !exact) x taps */
  evx_rs_dots dots;       /* the inner products for this CPU */
  evx_sanitize_fn clean;  /* the input cleaning for this CPU */
  float *ring;            /* 2 x len: every input written twice */
  uint32_t len;           /* taps + CHUNK */
  uint32_t write;         /* next ring position, 0..len-1 */
  uint32_t phase;         /* next output's phase, 0..up-1 (in 1/up inputs) */
  float limit;            /* inputs are clamped to +-limit */
  uint32_t gap;           /* inputs still to come before the next output */
};

/* The shape of one instance; the same for evx_rs_size and evx_rs_init. */
typedef struct {
  uint32_t up, down, taps, rows_per_in, rows, max_out;
  int exact;
  evx_rs_spec spec;
  size_t table_off, ring_off, total;
} rs_layout;

static size_t align64(size_t x) { return (x + 63u) & ~(size_t)63u; }

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
  while (b) {
    uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

static int make_layout(double in_rate, uint32_t max_in, rs_layout *l)
{
  memset(l, 0, sizeof *l);
  if (!(in_rate >= EVX_RS_MIN_RATE && in_rate <= EVX_RS_MAX_RATE) || max_in == 0)
    return -1;
  uint64_t rate_mhz = (uint64_t)llround(in_rate * 1000.0);
  uint64_t g = gcd_u64(rate_mhz, OUT_RATE_MHZ);
  l->up = (uint32_t)(OUT_RATE_MHZ / g);
  l->down = (uint32_t)(rate_mhz / g);
  /* Outputs of n consecutive inputs lie in a span of n inputs, spaced
   * down/up apart. */
  l->max_out = (uint32_t)((uint64_t)max_in * l->up / l->down + 1u);
  size_t off = align64(sizeof(struct evx_rs));
  if (l->up == l->down) {             /* 16 kHz: pass-through */
    l->max_out = max_in;
    l->total = off + 63u;
    return 0;
  }
  double rate = (double)rate_mhz / 1000.0;
  evx_rs_spec_for(rate, &l->spec);
  l->taps = l->spec.taps;
  if (l->taps > EVX_RS_MAX_TAPS)      /* cannot happen for 8..192 kHz */
    return -1;
  uint32_t fine = (uint32_t)ceil(INTERP_ROWS_PER_CYCLE * l->spec.cutoff);
  l->exact = l->up <= fine || (uint64_t)l->up * l->taps <= EXACT_TABLE_MAX;
  l->rows_per_in = l->exact ? l->up : fine;
  l->rows = l->exact ? l->up : fine + 1u;  /* + the row at offset 1 */
  l->table_off = off;
  off = align64(off + sizeof(float) * (size_t)l->rows * l->taps);
  l->ring_off = off;
  off = align64(off + sizeof(float) * 2u * ((size_t)l->taps + CHUNK));
  l->total = off + 63u;               /* room to align the caller's base */
  return 0;
}

size_t evx_rs_size(double in_rate, uint32_t max_in)
{
  rs_layout l;
  return make_layout(in_rate, max_in, &l) == 0 ? l.total : 0;
}

evx_rs *evx_rs_init(void *mem, size_t size, double in_rate, uint32_t max_in)
{
  rs_layout l;
  if (!mem || make_layout(in_rate, max_in, &l) != 0 || size < l.total)
    return NULL;
  char *base = (char *)(((uintptr_t)mem + 63u) & ~(uintptr_t)63u);
  evx_rs *rs = (evx_rs *)base;
  memset(rs, 0, sizeof *rs);
  rs->up = l.up;
  rs->down = l.down;
  rs->down_quot = l.down / l.up;
  rs->down_rem = l.down % l.up;
  rs->max_in = max_in;
  rs->max_out = l.max_out;
  rs->limit = SAMPLE_LIMIT;
  rs->taps = l.taps;
  if (l.taps == 0)
    return rs;
  rs->rows_per_in = l.rows_per_in;
  rs->exact = l.exact;
  rs->delay = (double)l.taps / 2.0 * (double)l.up / (double)l.down;
  float *table = (float *)(base + l.table_off);
  evx_rs_fill_table(&l.spec, l.rows_per_in, l.rows, table);
  rs->table = table;
  rs->dots = evx_rs_dot_pick();
  rs->clean = evx_sanitize_pick();
  rs->len = l.taps + CHUNK;
  rs->ring = (float *)(base + l.ring_off);
  evx_rs_reset(rs);
  return rs;
}

/* Forget all input (as if just initialised). RT-safe. */
void evx_rs_reset(evx_rs *rs)
{
  if (!rs || rs->taps == 0)
    return;
  memset(rs->ring, 0, sizeof(float) * 2u * rs->len);
  rs->write = 0;
  rs->phase = 0;
  rs->gap = 1;   /* output 0 is due at input 0 */
}

uint32_t evx_rs_max_out(const evx_rs *rs)
{
  return rs ? rs->max_out : 0;
}

void evx_rs_set_limit(evx_rs *rs, float limit)
{
  if (rs && limit > 0.0f && limit <= SAMPLE_LIMIT)
    rs->limit = limit;
}

uint32_t evx_rs_max_out_for(double in_rate, uint32_t max_in)
{
  rs_layout l;
  return make_layout(in_rate, max_in, &l) == 0 ? l.max_out : 0;
}

double evx_rs_delay(const evx_rs *rs)
{
  return rs ? rs->delay : 0.0;
}

/* Table row of an output at `phase` (exact tables), or the first of the two
 * rows it interpolates and how far between them it lies. */
static const float *row_of(const evx_rs *rs, uint32_t phase, double *frac)
{
  uint32_t n = rs->taps;
  if (rs->exact)
    return rs->table + (size_t)phase * n;
  uint64_t pos = (uint64_t)phase * rs->rows_per_in;
  *frac = (double)(pos % rs->up) / (double)rs->up;
  return rs->table + pos / rs->up * n;
}

static float mix(double y0, double y1, double frac) { return (float)(y0 + frac * (y1 - y0)); }

/* Outputs due, not yet computed: window start in the ring, phase. A local
 * of evx_rs_process, so the compiler keeps its loop state in registers. */
typedef struct {
  uint32_t at[GROUP], phase[GROUP];
} rs_due;

/* The k due outputs (audio thread): four at once through dot4, fewer one
 * by one; the same values either way. */
static void filter_due(const evx_rs *rs, const rs_due *d, uint32_t k, float *out)
{
  uint32_t n = rs->taps;
  const float *w[GROUP], *r[GROUP], *r1[GROUP];
  double frac[GROUP] = { 0 };
  for (uint32_t j = 0; j < k; j++) {
    w[j] = rs->ring + d->at[j];
    r[j] = row_of(rs, d->phase[j], &frac[j]);
    r1[j] = r[j] + n;
  }
  if (k == GROUP && rs->exact) {  /* straight to out: a copy of four lane
                                     stores would stall on store forwarding */
    rs->dots.dot4(w, r, n, out);
    return;
  }
  if (k == GROUP) {
    float y0[GROUP], y1[GROUP];
    rs->dots.dot4(w, r, n, y0);
    rs->dots.dot4(w, r1, n, y1);
    for (uint32_t j = 0; j < GROUP; j++) out[j] = mix(y0[j], y1[j], frac[j]);
    return;
  }
  for (uint32_t j = 0; j < k; j++)
    out[j] = rs->exact ? rs->dots.dot(w[j], r[j], n)
                       : mix(rs->dots.dot(w[j], r[j], n), rs->dots.dot(w[j], r1[j], n), frac[j]);
}

uint32_t evx_rs_process(evx_rs *rs, const float *in, uint32_t n, float *out)
{
  if (!rs || !in || !out || n == 0)
    return 0;
  n = n < rs->max_in ? n : rs->max_in;
  if (rs->taps == 0) {        /* bit-exact pass-through, NaN/Inf -> 0 */
    for (uint32_t i = 0; i < n; i++)
      out[i] = isfinite(in[i]) ? in[i] : 0.0f;
    return n;
  }
  const uint32_t taps = rs->taps, len = rs->len, up = rs->up;
  const uint32_t down_quot = rs->down_quot, down_rem = rs->down_rem;
  uint32_t produced = 0, due = 0, phase = rs->phase, gap = rs->gap;
  rs_due d;
  for (uint32_t c0 = 0; c0 < n; c0 += CHUNK) {
    uint32_t m = n - c0 < CHUNK ? n - c0 : CHUNK, w0 = rs->write;
    uint32_t k = len - w0 < m ? len - w0 : m;
    rs->clean(rs->ring + w0, rs->ring + w0 + len, in + c0, k, rs->limit, SAMPLE_FLUSH);
    if (k < m)
      rs->clean(rs->ring, rs->ring + len, in + c0 + k, m - k, rs->limit, SAMPLE_FLUSH);
    rs->write = w0 + m >= len ? w0 + m - len : w0 + m;
    /* every output these inputs complete: the one due after input i - 1
     * reads the taps inputs before ring position w0 + i */
    for (uint32_t i = 0;;) {
      if (gap > m - i) {
        gap -= m - i;
        break;
      }
      i += gap;
      uint32_t end = w0 + i, start = end >= taps ? end - taps : end + len - taps;
      start = start >= len ? start - len : start;
      do { /* two at one input when upsampling */
        d.at[due] = start;
        d.phase[due] = phase;
        if (++due == GROUP) {
          filter_due(rs, &d, due, out + produced);
          produced += due;
          due = 0;
        }
        /* next = phase + down, as gap * up + phase, without a division */
        uint32_t next = phase + down_rem;
        uint32_t wrap = next >= up;
        gap = down_quot + wrap;
        phase = wrap ? next - up : next;
      } while (gap == 0);
    }
    filter_due(rs, &d, due, out + produced); /* the chunk's last few, before
                                                the next chunk overwrites their inputs */
    produced += due;
    due = 0;
  }
  rs->phase = phase;
  rs->gap = gap;
  return produced;
}
