/* soak_core.c: see soak_core.h. */
#include "soak_core.h"
#include "emovox_ext.h"
#include "lv2_host.h"

#include <fcntl.h>
#include <float.h>
#include <stdarg.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_BLOCK 8192u
#define N_CLIPS 32          /* clips taken from the manifest, spread over it */
#define STEPS 100           /* RSS samples / progress granularity */
#define WARMUP_STEPS 10     /* the first 10% of the audio is warm-up */
#define RSS_LIMIT_KIB 1024L
#define MAX_REPORTS 20      /* violations printed in full */

/* ---- random numbers ------------------------------------------------------ */

static uint64_t rnd(uint64_t *s)
{
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ull;
}

static double uni(uint64_t *s) { return (double)(rnd(s) >> 11) * (1.0 / 9007199254740992.0); }
static float white(uint64_t *s) { return (float)(2.0 * uni(s) - 1.0); }

/* ---- source audio (16 kHz mono) ------------------------------------------ */

typedef struct {
  float *x;
  size_t n;
  int clips;
} source;

static int src_append(source *s, const float *x, size_t n, size_t *cap)
{
  if (s->n + n > *cap) {
    size_t c = (*cap ? *cap : 1 << 20);
    while (c < s->n + n)
      c *= 2;
    float *p = realloc(s->x, c * sizeof *p);
    if (!p)
      return -1;
    s->x = p, *cap = c;
  }
  memcpy(s->x + s->n, x, n * sizeof *x);
  s->n += n;
  return 0;
}

/* One 16 kHz clip, channels averaged, appended to s. */
static int load_clip(source *s, const char *path, size_t *cap)
{
  SF_INFO in;
  memset(&in, 0, sizeof in);
  SNDFILE *f = sf_open(path, SFM_READ, &in);
  if (!f)
    return -1;
  int rc = -1;
  if (in.samplerate == 16000 && in.channels >= 1 && in.frames > 0 && in.frames < 16000 * 60) {
    size_t fr = (size_t)in.frames, ch = (size_t)in.channels;
    float *inter = malloc(fr * ch * sizeof *inter), *mono = malloc(fr * sizeof *mono);
    sf_count_t got = inter && mono ? sf_readf_float(f, inter, (sf_count_t)fr) : 0;
    for (sf_count_t i = 0; i < got; i++) {
      float acc = 0;
      for (size_t c = 0; c < ch; c++)
        acc += inter[(size_t)i * ch + c];
      mono[i] = acc / (float)ch;
    }
    if (got > 0 && src_append(s, mono, (size_t)got, cap) == 0)
      rc = 0;
    free(inter);
    free(mono);
  }
  sf_close(f);
  return rc;
}

/* N_CLIPS clips spread evenly over <shared>/data/manifest.csv. */
static void load_shared(source *s, const char *shared)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/data/manifest.csv", shared);
  FILE *f = fopen(path, "r");
  if (!f)
    return;
  char line[2048];
  char **rows = NULL;
  size_t n = 0, cap = 0;
  if (fgets(line, sizeof line, f)) {   /* header */
    while (fgets(line, sizeof line, f)) {
      char *comma = strchr(line, ',');
      if (!comma)
        continue;
      *comma = '\0';
      if (n == cap) {
        cap = cap ? 2 * cap : 1024;
        char **r = realloc(rows, cap * sizeof *r);
        if (!r)
          break;
        rows = r;
      }
      rows[n++] = strdup(line);
    }
  }
  fclose(f);
  size_t scap = 0;
  for (int k = 0; k < N_CLIPS && n; k++) {
    snprintf(path, sizeof path, "%s/data/%s", shared, rows[(size_t)k * n / N_CLIPS]);
    if (load_clip(s, path, &scap) == 0)
      s->clips++;
  }
  for (size_t i = 0; i < n; i++)
    free(rows[i]);
  free(rows);
}

/* No corpus: 60 s of a speech-like buzz (0.4 s bursts, varying pitch). */
static void synth_source(source *s)
{
  s->n = 16000 * 60;
  s->x = malloc(s->n * sizeof *s->x);
  uint64_t seed = 5;
  double ph = 0;
  for (size_t i = 0; i < s->n && s->x; i++) {
    double t = (double)i / 16000.0, f0 = 110 + 60 * sin(t * 1.3);
    ph += 2 * M_PI * f0 / 16000.0;
    double on = fmod(t, 0.7) < 0.4 ? 0.3 : 0.0;
    s->x[i] = (float)(on * (sin(ph) + 0.5 * sin(2 * ph) + 0.25 * sin(3 * ph)) +
                      0.003 * white(&seed));
  }
}

/* ---- hostile stream generator -------------------------------------------- */

enum { SEG_SPEECH, SEG_NOISY, SEG_SILENCE, SEG_CLIP, SEG_NONFINITE, SEG_DENORMAL,
       SEG_DC, SEG_NOISE, SEG_KINDS };
static const char *const seg_names[SEG_KINDS] = {
  "speech", "speech+noise", "silence", "clipping", "NaN/Inf burst", "denormals",
  "DC offset", "white noise" };
static const int seg_weight[SEG_KINDS] = { 30, 15, 10, 10, 8, 8, 10, 9 };

typedef struct {
  const source *src;
  double pos, step;       /* read position in the 16 kHz source, advance per sample */
  int kind;
  uint64_t left;          /* samples left in the segment */
  float gain, noise, dc;
  uint64_t rng;
  double rate;
} gen;

static void new_segment(gen *g)
{
  int total = 0, pick;
  for (int k = 0; k < SEG_KINDS; k++)
    total += seg_weight[k];
  pick = (int)(rnd(&g->rng) % (uint64_t)total);
  for (g->kind = 0; pick >= seg_weight[g->kind]; g->kind++)
    pick -= seg_weight[g->kind];
  double secs = g->kind == SEG_NONFINITE ? 0.0001 + 0.05 * uni(&g->rng)
                                         : 0.02 * pow(200.0, uni(&g->rng)); /* 20 ms..4 s */
  g->left = (uint64_t)(secs * g->rate) + 1;
  g->gain = (float)pow(10.0, -2.0 + 2.5 * uni(&g->rng));
  g->noise = (float)pow(10.0, -4.0 + 4.0 * uni(&g->rng));
  g->dc = (float)((rnd(&g->rng) & 1 ? 1 : -1) * (0.05 + 0.95 * uni(&g->rng)));
  if (g->kind == SEG_CLIP)
    g->gain = (float)(5 + 45 * uni(&g->rng));
}

static float speech(gen *g)
{
  const float *x = g->src->x;
  size_t n = g->src->n, i = (size_t)g->pos;
  float fr = (float)(g->pos - (double)i);
  float v = x[i] + fr * (x[i + 1 < n ? i + 1 : 0] - x[i]);
  g->pos += g->step;
  if (g->pos >= (double)n)
    g->pos -= (double)n;
  return v;
}

static float nonfinite(gen *g, float s)
{
  union { uint32_t u; float f; } nan;
  uint64_t r = rnd(&g->rng);
  switch (r % 8) {
  case 0:   /* quiet or signalling NaN with a random payload and sign */
    nan.u = 0x7f800000u | (uint32_t)((r >> 8) & 0x7fffffu) | (uint32_t)((r >> 40) & 1u) << 31;
    if (!(nan.u & 0x7fffffu))
      nan.u |= 1u;
    return nan.f;
  case 1: return NAN;
  case 2: return INFINITY;
  case 3: return -INFINITY;
  case 4: return FLT_MAX;
  case 5: return -FLT_MAX;
  case 6: return (float)(1e30 * (double)white(&g->rng));
  default: return s;
  }
}

static void fill(gen *g, float *x, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++) {
    if (!g->left)
      new_segment(g);
    g->left--;
    float s = speech(g), v;
    switch (g->kind) {
    case SEG_SPEECH: v = g->gain * s; break;
    case SEG_NOISY: v = g->gain * s + g->noise * white(&g->rng); break;
    case SEG_SILENCE: v = 0.0f; break;
    case SEG_CLIP: v = fmaxf(-1.0f, fminf(1.0f, g->gain * s)); break;
    case SEG_NONFINITE: v = nonfinite(g, s); break;
    case SEG_DENORMAL: v = (float)(1e-39 * (double)white(&g->rng)) + 1e-38f * s * 0.1f; break;
    case SEG_DC: v = g->dc + g->gain * s; break;
    default: v = g->noise * white(&g->rng); break;
    }
    x[i] = v;
  }
}

/* ---- instances and checks --------------------------------------------------- */

typedef enum { K_METER, K_METER_MIDI, K_RENDER } kind_t;
static const char *const kind_uri[3] = { EMOVOX_URI_METER, EMOVOX_URI_METER_MIDI,
                                         EMOVOX_URI_RENDER };
static const double rates[] = { 8000, 22050, 44100, 48000, 96000, 192000 };
#define N_RATES (sizeof rates / sizeof rates[0])

typedef struct {
  th_host *h;
  kind_t kind;
  double rate;
  gen g;
  uint64_t rng, done, blocks;
  const float *render_out[EVX_N_EMOTIONS];
} inst;

typedef struct {
  uint64_t violations;
  const inst *in;
  uint64_t block;
} checker;

static void violation(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void violation(checker *c, const char *fmt, ...)
{
  if (c->violations++ < MAX_REPORTS) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "soak: VIOLATION %s @ %.0f Hz, block %llu (t=%.3f s, segment %s): ",
            kind_uri[c->in->kind], c->in->rate, (unsigned long long)c->block,
            (double)c->in->done / c->in->rate, seg_names[c->in->g.kind]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
  }
}

static int in01(float v) { return v >= 0.0f && v <= 1.0f; }   /* false for NaN */

static void check_controls(checker *c, const th_host *h)
{
  double sum = 0;
  for (int k = 0; k < EVX_N_EMOTIONS; k++) {
    float p = th_control(h, evx_emotion_name(k));
    if (!in01(p))
      violation(c, "%s = %g", evx_emotion_name(k), p);
    sum += p;
  }
  if (!(fabs(sum - 1.0) <= 1e-4))
    violation(c, "probabilities sum to %.9g", sum);
  float d = th_control(h, "dominant");
  if (!(d >= 0 && d <= EVX_N_EMOTIONS && d == floorf(d)))
    violation(c, "dominant = %g", d);
  float conf = th_control(h, "confidence"), speech = th_control(h, "speech");
  if (!in01(conf))
    violation(c, "confidence = %g", conf);
  if (!(speech == 0.0f || speech == 1.0f))
    violation(c, "speech = %g", speech);
  const char *av[2] = { "arousal", "valence" };
  for (int k = 0; k < 2; k++) {
    float v = th_control(h, av[k]);
    if (!(v >= -1.0001f && v <= 1.0001f))
      violation(c, "%s = %g", av[k], v);
  }
}

/* The dominant's CC carries one of the nine values of emovox_cc_dominant. */
static int dominant_value(int v)
{
  for (unsigned d = 0; d <= EVX_N_EMOTIONS; d++)
    if (v == emovox_cc_dominant(d))
      return 1;
  return 0;
}

static void check_midi(checker *c, const th_host *h)
{
  int cc[64][2];
  int n = th_midi_ccs(h, cc, 64);
  for (int i = 0; i < n; i++) {
    int ok = cc[i][0] >= EMOVOX_CC_FIRST && cc[i][0] <= EMOVOX_CC_DOMINANT &&
             cc[i][1] >= 0 && cc[i][1] <= 127 &&
             (cc[i][0] != EMOVOX_CC_DOMINANT || dominant_value(cc[i][1]));
    if (!ok)
      violation(c, "MIDI CC %d = %d", cc[i][0], cc[i][1]);
  }
}

static void check_render(checker *c, const inst *in, uint32_t n)
{
  for (uint32_t i = 0; i < n; i++) {
    double sum = 0;
    for (int k = 0; k < EVX_N_EMOTIONS; k++) {
      float p = in->render_out[k][i];
      if (!in01(p)) {
        violation(c, "render %s[%u] = %g", evx_emotion_name(k), i, p);
        return;
      }
      sum += p;
    }
    if (!(fabs(sum - 1.0) <= 1e-4)) {
      violation(c, "render outputs at sample %u sum to %.9g", i, sum);
      return;
    }
  }
}

static uint32_t block_size(uint64_t *rng)
{
  uint64_t r = rnd(rng);
  if (r & 1)   /* uniform 1..8192, or log-uniform (more small blocks) */
    return 1 + (uint32_t)((r >> 8) % MAX_BLOCK);
  uint32_t b = (uint32_t)exp(uni(rng) * log((double)MAX_BLOCK + 1));
  return b < 1 ? 1 : b > MAX_BLOCK ? MAX_BLOCK : b;
}

static void run_block(inst *in, checker *c, float *x, float *io, uint64_t limit)
{
  uint32_t n = block_size(&in->rng);
  if (n > limit - in->done)
    n = (uint32_t)(limit - in->done);
  fill(&in->g, x, n);
  if (rnd(&in->rng) % 300 == 0) {   /* a user turning the knobs */
    th_set_control(in->h, "response", (float)(10 * uni(&in->rng)));
    th_set_control(in->h, "gate", (float)(-90 + 90 * uni(&in->rng)));
    th_set_control(in->h, "hold", (float)(10 * uni(&in->rng)));
  }
  c->in = in;
  c->block = in->blocks;
  if (in->kind == K_RENDER) {
    th_run(in->h, x, n);
    check_render(c, in, n);
  } else {
    if (rnd(&in->rng) % 4 == 0) {   /* in place, as hosts may do */
      memcpy(io, x, n * sizeof *x);
      th_run_inplace(in->h, io, n);
      if (memcmp(io, x, n * sizeof *x))
        violation(c, "in-place passthrough is not bit-exact (%u frames)", n);
    } else {
      th_run(in->h, x, n);
      if (memcmp(th_audio(in->h, "out"), x, n * sizeof *x))
        violation(c, "passthrough is not bit-exact (%u frames)", n);
    }
    check_controls(c, in->h);
    if (in->kind == K_METER_MIDI)
      check_midi(c, in->h);
  }
  in->done += n;
  in->blocks++;
}

/* Resident set in KiB; open/read rather than stdio, so that sampling it
 * allocates nothing (under ASan a freed FILE buffer would sit in the
 * quarantine and show as growth). */
static long rss_kib(void)
{
  char buf[128];
  long size = 0, res = 0;
  int fd = open("/proc/self/statm", O_RDONLY);
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0)
    close(fd);
  if (n > 0) {
    buf[n] = '\0';
    if (sscanf(buf, "%ld %ld", &size, &res) != 2)
      res = 0;
  }
  return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static double now_s(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int soak_run(const soak_opts *o, soak_result *r)
{
  memset(r, 0, sizeof *r);
  r->rss_limit_kib = RSS_LIMIT_KIB;
  double t0 = now_s();
  source src = { 0 };
  if (o->shared)
    load_shared(&src, o->shared);
  if (!src.n)
    synth_source(&src);
  if (!src.x) {
    fprintf(stderr, "soak: out of memory\n");
    return -1;
  }
  printf("soak: source: %s, %.1f s at 16 kHz\n",
         src.clips ? "clips of ../shared/data" : "synthetic buzz (no ../shared)",
         (double)src.n / 16000.0);

  const int n_inst = 3 * (int)N_RATES;
  inst *ins = calloc((size_t)n_inst, sizeof *ins);
  float *x = malloc(MAX_BLOCK * sizeof *x), *io = malloc(MAX_BLOCK * sizeof *io);
  int rc = 0;
  if (!ins || !x || !io) {
    fprintf(stderr, "soak: out of memory\n");
    rc = -1;
    goto out;
  }
  uint64_t seed = o->seed ? o->seed : 1;
  for (int i = 0; i < n_inst; i++) {
    inst *in = &ins[i];
    in->kind = (kind_t)(i % 3);
    in->rate = rates[i / 3];
    in->h = th_open(kind_uri[in->kind], in->rate, MAX_BLOCK, 1);
    if (!in->h) {
      fprintf(stderr, "soak: cannot instantiate %s at %.0f Hz from %s\n",
              kind_uri[in->kind], in->rate, th_bundle_dir());
      rc = -1;
      goto out;
    }
    in->rng = seed * 0x9E3779B97F4A7C15ull + (uint64_t)i * 7919 + 1;
    in->g = (gen){ .src = &src, .step = 16000.0 / in->rate, .rate = in->rate,
                   .rng = in->rng ^ 0xD1B54A32D192ED03ull,
                   .pos = (double)((size_t)i * src.n / (size_t)n_inst) };
    if (in->kind == K_RENDER)
      for (int k = 0; k < EVX_N_EMOTIONS; k++)
        in->render_out[k] = th_audio(in->h, evx_emotion_name(k));
  }
  r->instances = n_inst;
  r->audio_s = o->seconds;

  checker c = { 0 };
  long rss_warm = 0, rss_max = 0;
  for (int step = 1; step <= STEPS; step++) {
    for (int i = 0; i < n_inst; i++) {
      inst *in = &ins[i];
      uint64_t total = (uint64_t)llround(o->seconds * in->rate);
      uint64_t upto = total * (uint64_t)step / STEPS;
      while (in->done < upto)
        run_block(in, &c, x, io, upto);
    }
    long rss = rss_kib();
    if (step == WARMUP_STEPS)
      rss_warm = rss_max = rss;
    else if (step > WARMUP_STEPS && rss > rss_max)
      rss_max = rss;
    if (o->progress && step % 10 == 0) {
      printf("soak: %3d%%  %.0f s of audio per instance, %llu violations, RSS %ld KiB, %.0f s\n",
             step, o->seconds * step / STEPS, (unsigned long long)c.violations, rss,
             now_s() - t0);
      fflush(stdout);
    }
  }
  for (int i = 0; i < n_inst; i++) {
    r->blocks += ins[i].blocks;
    r->samples += ins[i].done;
    r->instance_s += (double)ins[i].done / ins[i].rate;
    if (th_log_count(ins[i].h))
      printf("soak: %s @ %.0f Hz logged %d message(s), last: %s\n", kind_uri[ins[i].kind],
             ins[i].rate, th_log_count(ins[i].h), th_log_last(ins[i].h));
  }
  r->violations = c.violations;
  r->rss_growth_kib = rss_max - rss_warm;
  r->wall_s = now_s() - t0;
  printf("soak: %.0f s of audio x %d instances (3 plugins x %zu rates, 8..192 kHz) = %.0f "
         "instance-seconds (%.2f h), %llu blocks of 1..%u frames, %llu violations, "
         "RSS growth after warm-up %ld KiB (limit %ld KiB), %.1f s wall (%.0fx real time)\n",
         o->seconds, n_inst, N_RATES, r->instance_s, r->instance_s / 3600.0,
         (unsigned long long)r->blocks, MAX_BLOCK, (unsigned long long)r->violations,
         r->rss_growth_kib, r->rss_limit_kib, r->wall_s,
         r->wall_s > 0 ? r->instance_s / r->wall_s : 0.0);
  fflush(stdout);
  rc = r->violations || r->rss_growth_kib >= r->rss_limit_kib ? 1 : 0;
out:
  for (int i = 0; ins && i < n_inst; i++)
    th_close(ins[i].h);
  free(ins);
  free(x);
  free(io);
  free(src.x);
  return rc;
}
