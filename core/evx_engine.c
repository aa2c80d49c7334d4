/* evx_engine.c: the streaming analysis engine (evx_engine.h). */
#include "evx_engine.h"
#include "evx_bundle.h"
#include "evx_nn_ensemble.h"
#include "evx_nn_net.h"
#include "evx_prosody.h"
#include "evx_features.h"
#include "evx_speech.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Circumplex coordinates (valence, arousal) of the eight emotions, after
 * Russell's circumplex model of affect (1980) and the usual placement of the
 * discrete emotions on it: pleasant/unpleasant on the valence axis,
 * activated/deactivated on the arousal axis. Neutral is the origin. The
 * published arousal and valence are the probability-weighted sums, so they
 * stay inside -1..1; with no information (uniform probabilities) they read
 * the centroid (valence -0.075, arousal 0.225). */
static const float circumplex[EVX_N_EMOTIONS][2] = {
  [EVX_ANGRY]     = { -0.60f,  0.70f },
  [EVX_CALM]      = {  0.50f, -0.60f },
  [EVX_DISGUST]   = { -0.60f,  0.30f },
  [EVX_FEAR]      = { -0.50f,  0.60f },
  [EVX_HAPPY]     = {  0.80f,  0.50f },
  [EVX_NEUTRAL]   = {  0.00f,  0.00f },
  [EVX_SAD]       = { -0.60f, -0.50f },
  [EVX_SURPRISED] = {  0.40f,  0.80f },
};

/* An inference must complete within this share of the update interval. */
#define SLICE_SHARE 0.5
/* What one value of a window summary (or of a frame-matrix window's
 * adaptation) costs, in FLOPs of inference: its time against the conv
 * kernels' time per FLOP. A log, a gate test and three sums in double
 * through a strided read took 3.1 ns, the AVX-512 conv 0.007 ns per FLOP
 * (the tcn member in 190 us): about 440. Charged at 10, a 64-frame push at
 * 48 kHz summarised 51 features (~47 us) in one call. Slower kernels only
 * make this generous to the summary. */
#define INPUT_FLOPS_PER_VALUE 400u

/* One network of the model (an ensemble has several, run one after the
 * other on the same window; their probabilities are averaged). */
typedef struct {
  const evx_model *model;
  void *net_mem;
  evx_net *net;
  float *input;                 /* evx_input_shape floats (staging) */
  evx_adapt_state *adapt;       /* speaker statistics, one per voice slot
                                   (EVX_ENGINE_VOICES; NULL when the network
                                   has no adaptation) */
  int map[EVX_MAX_LABELS];      /* network output -> canonical emotion */
  uint64_t unit_cost;           /* of one evx_input_step unit, in FLOPs */
  uint64_t work;                /* input summary + adaptation + network, in FLOPs */
} member;

struct evx_engine_model {
  evx_model *model;             /* the first network, owning the chain */
  uint32_t n;                   /* networks (evx_model_members) */
  member mem[EVX_MAX_MEMBERS];
  int keep_voice;               /* 1: a new engine carries on with adapt */
  uint64_t work;                /* of every member, in FLOPs */
};

struct evx_engine {
  double rate;
  uint32_t max_block;
  evx_fx *fx;
  float *fx_out;                /* frames from one evx_fx_push */
  float *fx_raw;                /* ... and their samples (the speech detector) */
  uint32_t fx_out_frames;
  float *ring;                  /* 2 x cap frames: every frame is written at
                                   pos and pos + cap, so the newest W frames
                                   are always contiguous */
  evx_pr *pr;                   /* prosody tracker (evx_prosody.h), run only
                                   while the active model reads prosody */
  int want_pros;
  float *pros_out;              /* its rows from one push */
  float *pros_ring;             /* 2 x cap rows beside ring (0 while off) */
  uint32_t cap, pos, filled;
  uint64_t frames;              /* frames seen since reset */
  uint32_t voice;               /* the voice slot in use (evx_engine_set_voice) */
  uint64_t voice_from;          /* frame where the current voice began
                                   (evx_engine_new_voice): older frames never
                                   join its statistics */
  uint32_t since;               /* frames since the last boundary */
  evx_speech speech;            /* is there speech to judge? */
  evx_speech_measures speech_m; /* what the last boundary's decision saw */
  evx_engine_adapt adapt_mode;  /* learn / freeze / off */

  evx_engine_model *active;
  uint32_t U;                   /* update interval in frames */
  double flops_per_sample;
  int busy, busy_voiced;        /* busy: a window is being summarised or inferred */
  uint32_t member;              /* the network the busy window is in */
  enum { PHASE_INPUT, PHASE_ADAPT, PHASE_NET } phase; /* of that network */
  float acc[EVX_N_EMOTIONS];    /* the finished networks' probabilities, summed
                                   (evx_ensemble_add), then their mean */
  const float *window;          /* the busy window's frames in the ring ... */
  const float *window_pros;     /* ... their prosody rows ... */
  uint32_t window_n;            /* ... and how many */
  int learn;                    /* the window joins the speaker statistics */
  int cold;                     /* the window is normalised by the population's
                                   statistics (EVX_ENGINE_ADAPT_OFF) */
  evx_input_job job;            /* PHASE_INPUT of the current network */
  evx_adapt_job adapt_job;      /* PHASE_ADAPT of the current network */
  uint64_t call_units;          /* input and adaptation units in this push */
  uint64_t busy_frame;

  evx_engine_params par;
  float state[EVX_N_EMOTIONS];  /* smoothed probabilities */
  float hold_left;              /* s */
  int decided;
  evx_engine_out out;
  evx_engine_stats stats;
  uint64_t call_budget;

  evx_engine_listener listener;
  void *listener_user;
};

/* ---- models (non-RT) ----------------------------------------------------- */

static void *fail(char *err, size_t errlen, const char *msg, const char *arg)
{
  if (err && errlen)
    snprintf(err, errlen, msg, arg);
  return NULL;
}

/* What one unit of the network's speaker adaptation is charged: a frame
 * matrix's rows cost what a summary unit does; a vector is charged nothing. */
static uint64_t adapt_cost(const member *mb)
{
  return (uint64_t)evx_adapt_unit_values(&mb->model->adapt) * INPUT_FLOPS_PER_VALUE;
}

/* Every voice slot of every adapting network back to the population
 * statistics. */
static void forget_all(evx_engine_model *em)
{
  for (uint32_t i = 0; i < em->n; i++)
    for (uint32_t k = 0; em->mem[i].adapt && k < EVX_ENGINE_VOICES; k++)
      evx_adapt_reset(em->mem[i].adapt + k, &em->mem[i].model->adapt);
}

/* The buffers, arena and costs of network m. 0, or -1 when out of memory. */
static int member_init(member *mb, const evx_model *m, char *err, size_t errlen)
{
  mb->model = m;
  for (uint32_t i = 0; i < m->n_labels && i < EVX_MAX_LABELS; i++) {
    mb->map[i] = evx_emotion_from_name(m->labels[i]);
    if (mb->map[i] < 0) {
      fail(err, errlen, "model label '%s' is not one of the eight emotions", m->labels[i]);
      return -1;
    }
  }
  const evx_feature_config *c = &m->cfg;
  evx_shape s = evx_input_shape(c);
  size_t nsz = evx_net_size(m);
  mb->input = calloc((size_t)s.c * s.h * s.w + 1, sizeof(float));
  if (m->adapt.len)
    mb->adapt = malloc(EVX_ENGINE_VOICES * sizeof *mb->adapt);
  mb->net_mem = nsz ? aligned_alloc(64, (nsz + 63) & ~(size_t)63) : NULL;
  mb->net = mb->net_mem ? evx_net_init(mb->net_mem, nsz, m) : NULL;
  if (!mb->input || !mb->net || (m->adapt.len && !mb->adapt)) {
    fail(err, errlen, "%s", "cannot set up inference for this model");
    return -1;
  }
  uint32_t units = evx_input_units(c);
  mb->unit_cost = (uint64_t)c->window_frames * INPUT_FLOPS_PER_VALUE;
  mb->work = evx_net_work(mb->net) + units * mb->unit_cost +
             evx_adapt_units(&m->adapt, 1) * adapt_cost(mb);
  return 0;
}

evx_engine_model *evx_engine_model_new(evx_model *m, char *err, size_t errlen)
{
  if (!m)
    return fail(err, errlen, "%s", "no model");
  const evx_feature_config *c = &m->cfg;
  if (c->sample_rate != EVX_SR || c->frame_len != EVX_FRAME || c->hop != EVX_HOP ||
      (c->feature_set != EVX_FSET_V1 && c->feature_set != EVX_FSET_V1_LEVEL) ||
      c->window_frames < 1 || c->update_frames < 1) {
    evx_model_free(m);
    return fail(err, errlen, "%s", "model expects another feature configuration "
                "(the engine computes 16 kHz, frames 400/160, features v1)");
  }
  if (evx_ensemble_check(m, err, errlen)) {
    evx_model_free(m);
    return NULL;
  }
  evx_engine_model *em = calloc(1, sizeof *em);
  if (!em) {
    evx_model_free(m);
    return fail(err, errlen, "%s", "out of memory");
  }
  em->model = m;
  for (const evx_model *o = m; o; o = o->next) {
    member *mb = &em->mem[em->n++];
    if (member_init(mb, o, err, errlen)) {
      evx_engine_model_free(em);
      return NULL;
    }
    em->work += mb->work;
  }
  forget_all(em);
  return em;
}

evx_engine_model *evx_engine_model_load(const char *path, char *err, size_t errlen)
{
  evx_model *m = NULL;
  if (evx_bundle_load(path, &m, err, errlen) != 0)
    return NULL;
  return evx_engine_model_new(m, err, errlen);
}

void evx_engine_model_free(evx_engine_model *em)
{
  if (!em)
    return;
  for (uint32_t i = 0; i < em->n; i++) {
    free(em->mem[i].net_mem);
    free(em->mem[i].input);
    free(em->mem[i].adapt);
  }
  evx_model_free(em->model);
  free(em);
}

void evx_engine_model_set_fresh_voice(evx_engine_model *em, int fresh)
{
  if (em)
    em->keep_voice = !fresh;
}

const evx_model *evx_engine_model_get(const evx_engine_model *em)
{
  return em ? em->model : NULL;
}

size_t evx_engine_model_bytes(const evx_engine_model *em)
{
  if (!em)
    return 0;
  size_t total = sizeof *em;
  for (uint32_t i = 0; i < em->n; i++) {
    const member *mb = &em->mem[i];
    evx_shape s = evx_input_shape(&mb->model->cfg);
    total += sizeof *mb->model + evx_net_size(mb->model) +
             ((size_t)s.c * s.h * s.w + 1) * sizeof(float) +
             (mb->adapt ? EVX_ENGINE_VOICES * sizeof *mb->adapt : 0) +
             (size_t)evx_model_params(mb->model) * sizeof(float);
  }
  return total;
}

/* ---- engine memory (non-RT) ------------------------------------------------ */

typedef struct {
  size_t fx, fx_size, fx_out, fx_raw, ring, pr, pros_out, pros_ring, total;
  uint32_t cap, out_frames;
} layout;

static size_t a64(size_t x) { return (x + 63u) & ~(size_t)63u; }

static int plan(double rate, uint32_t max_block, uint32_t window, layout *l)
{
  if (!isfinite(rate) || rate < 8000.0 || rate > 192000.0 || max_block < 1 ||
      max_block > EVX_MAX_BLOCK || window > (1u << 20))
    return -1;
  l->fx_size = evx_fx_size(rate, max_block);
  if (!l->fx_size)
    return -1;
  /* a window stays in place while the next update interval's frames arrive
   * (its summary is sliced over them): room for two windows */
  l->cap = 2 * window > EVX_ENGINE_MIN_RING ? 2 * window : EVX_ENGINE_MIN_RING;
  /* frames one push can complete: the resampled samples plus what the
   * resampler may hold back, over the hop */
  l->out_frames = (uint32_t)(ceil(max_block * (double)EVX_SR / rate) / EVX_HOP) + 8;
  size_t o = a64(sizeof(evx_engine));
  l->fx = o;      o += a64(l->fx_size);
  l->fx_out = o;  o += a64((size_t)l->out_frames * EVX_NFEAT * sizeof(float));
  l->fx_raw = o;  o += a64((size_t)l->out_frames * EVX_FRAME * sizeof(float));
  l->ring = o;    o += a64((size_t)2 * l->cap * EVX_NFEAT * sizeof(float));
  /* the tracker's room is kept whatever the model: models swap in run() */
  l->pr = o;      o += a64(evx_pr_size());
  l->pros_out = o;  o += a64((size_t)l->out_frames * EVX_NPROS * sizeof(float));
  l->pros_ring = o; o += a64((size_t)2 * l->cap * EVX_NPROS * sizeof(float));
  l->total = o + 63;  /* room to align the caller's block */
  return 0;
}

size_t evx_engine_size(double host_rate, uint32_t max_block, uint32_t window_frames)
{
  layout l;
  return plan(host_rate, max_block, window_frames, &l) ? 0 : l.total;
}

static void clear_state(evx_engine *e)
{
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    e->state[i] = 1.0f / EVX_N_EMOTIONS;
  e->hold_left = 0.0f;
  e->decided = 0;
  memset(&e->out, 0, sizeof e->out);
  memcpy(e->out.probs, e->state, sizeof e->state);
  e->out.dominant = EVX_ENGINE_NONE;
  for (int i = 0; i < EVX_N_EMOTIONS; i++) {
    e->out.valence += e->state[i] * circumplex[i][0];
    e->out.arousal += e->state[i] * circumplex[i][1];
  }
}

/* em's window stays in the ring while the frames of one more update
 * interval arrive (its summary is sliced over them). */
static int fits(uint32_t cap, const evx_engine_model *em)
{
  const evx_feature_config *c = &em->model->cfg;
  return (uint64_t)c->window_frames + c->update_frames <= cap;
}

/* Whether any network of em reads prosody rows. */
static int reads_prosody(const evx_engine_model *em)
{
  for (uint32_t i = 0; em && i < em->n; i++)
    if (evx_input_needs_prosody(&em->mem[i].model->cfg))
      return 1;
  return 0;
}

/* Slicing rate and update interval for the active model; the tracker runs
 * only for a model that reads it (it starts afresh when switched on; rows
 * from before are 0). */
static void adopt(evx_engine *e, evx_engine_model *em)
{
  e->active = em;
  int want = reads_prosody(em);
  if (want && !e->want_pros)
    evx_pr_reset(e->pr);
  e->want_pros = want;
  if (em && !em->keep_voice)
    forget_all(em);   /* no history for this model yet */
  e->U = em ? em->model->cfg.update_frames : 25u;
  double interval = (double)e->U * EVX_HOP / EVX_SR * e->rate;  /* host samples */
  e->flops_per_sample = em ? (double)em->work / (SLICE_SHARE * interval) : 0.0;
  e->stats.flops_per_sample = e->flops_per_sample;
  e->stats.work_per_inference = em ? em->work : 0;
}

evx_engine *evx_engine_init(void *mem, size_t size, double host_rate, uint32_t max_block,
                            uint32_t window_frames, evx_engine_model *em)
{
  layout l;
  if (!mem || plan(host_rate, max_block, window_frames, &l) || size < l.total)
    return NULL;
  char *base = (char *)a64((size_t)mem);
  memset(base, 0, l.total - 63);
  evx_engine *e = (evx_engine *)base;
  e->rate = host_rate;
  e->max_block = max_block;
  e->fx = evx_fx_init(base + l.fx, l.fx_size, host_rate, max_block);
  if (!e->fx)
    return NULL;
  if (evx_fx_max_frames(e->fx) > l.out_frames) {
    evx_fx_destroy(e->fx);
    return NULL;
  }
  e->fx_out = (float *)(base + l.fx_out);
  e->fx_raw = (float *)(base + l.fx_raw);
  e->fx_out_frames = l.out_frames;
  e->ring = (float *)(base + l.ring);
  e->cap = l.cap;
  e->pr = evx_pr_init(base + l.pr, evx_pr_size());
  if (!e->pr) {
    evx_fx_destroy(e->fx);
    return NULL;
  }
  e->pros_out = (float *)(base + l.pros_out);
  e->pros_ring = (float *)(base + l.pros_ring);
  e->par = (evx_engine_params){ EVX_ENGINE_DEFAULT_RESPONSE, EVX_ENGINE_DEFAULT_GATE,
                                EVX_ENGINE_DEFAULT_HOLD };
  if (em && !fits(e->cap, em)) {
    evx_pr_destroy(e->pr);
    evx_fx_destroy(e->fx);
    return NULL;
  }
  adopt(e, em);
  clear_state(e);
  return e;
}

evx_engine_model *evx_engine_destroy(evx_engine *e)
{
  if (!e)
    return NULL;
  evx_fx_destroy(e->fx);
  e->fx = NULL;
  evx_pr_destroy(e->pr);
  evx_engine_model *em = e->active;
  e->active = NULL;
  return em;
}

int evx_engine_accepts(const evx_engine *e, const evx_engine_model *em)
{
  return e && em && fits(e->cap, em);
}

void evx_engine_set_listener(evx_engine *e, evx_engine_listener fn, void *user)
{
  e->listener = fn;
  e->listener_user = user;
}

/* ---- real time ------------------------------------------------------------- */

static float clampf(float x, float lo, float hi, float dflt)
{
  if (!isfinite(x))
    return dflt;
  return x < lo ? lo : x > hi ? hi : x;
}

void evx_engine_set_params(evx_engine *e, const evx_engine_params *p)
{
  e->par.response = clampf(p->response, 0.0f, 10.0f, EVX_ENGINE_DEFAULT_RESPONSE);
  e->par.gate = clampf(p->gate, -90.0f, 0.0f, EVX_ENGINE_DEFAULT_GATE);
  e->par.hold = clampf(p->hold, 0.0f, 10.0f, EVX_ENGINE_DEFAULT_HOLD);
}

double evx_engine_update_seconds(const evx_engine *e)
{
  return (double)e->U * EVX_HOP / EVX_SR;
}

void evx_engine_circumplex(int i, float *valence, float *arousal)
{
  int ok = i >= 0 && i < EVX_N_EMOTIONS;
  *valence = ok ? circumplex[i][0] : 0.0f;
  *arousal = ok ? circumplex[i][1] : 0.0f;
}

/* Post-processing of one result q (canonical order, or NULL for "no
 * model"): smoothing, gate, hold, and the derived outputs. */
static void publish(evx_engine *e, const float *q, int voiced, uint64_t frame)
{
  const float uniform = 1.0f / EVX_N_EMOTIONS;
  float T = (float)evx_engine_update_seconds(e);
  float alpha = e->par.response > 0.0f ? 1.0f - expf(-T / e->par.response) : 1.0f;
  if (voiced && q) {
    for (int i = 0; i < EVX_N_EMOTIONS; i++)
      e->state[i] += alpha * (q[i] - e->state[i]);
    e->hold_left = e->par.hold;
    e->decided = 1;
  } else if (e->decided && e->hold_left > 0.0f) {
    e->hold_left -= T;          /* keep the last decision through the pause */
  } else {
    for (int i = 0; i < EVX_N_EMOTIONS; i++)
      e->state[i] += alpha * (uniform - e->state[i]);
    e->decided = 0;
  }
  /* re-normalise; anything non-finite starts over from uniform */
  float sum = 0.0f;
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    sum += e->state[i] = isfinite(e->state[i]) && e->state[i] > 0.0f ? e->state[i] : 0.0f;
  if (!(sum > 1e-20f) || !isfinite(sum)) {
    for (int i = 0; i < EVX_N_EMOTIONS; i++)
      e->state[i] = uniform;
    sum = 1.0f;
  }
  evx_engine_out *o = &e->out;
  uint32_t best = 0;
  o->arousal = o->valence = 0.0f;
  for (int i = 0; i < EVX_N_EMOTIONS; i++) {
    o->probs[i] = e->state[i] /= sum;
    if (o->probs[i] > o->probs[best])
      best = (uint32_t)i;
    o->valence += o->probs[i] * circumplex[i][0];
    o->arousal += o->probs[i] * circumplex[i][1];
  }
  o->valence = clampf(o->valence, -1.0f, 1.0f, 0.0f);
  o->arousal = clampf(o->arousal, -1.0f, 1.0f, 0.0f);
  o->dominant = e->decided ? best : EVX_ENGINE_NONE;
  o->confidence = e->decided ? clampf((o->probs[best] - uniform) / (1.0f - uniform),
                                      0.0f, 1.0f, 0.0f) : 0.0f;
  o->speech = voiced ? 1u : 0u;
  o->updates++;
  o->frame = frame;
  if (e->listener)
    e->listener(e->listener_user, o);
}

/* The network the busy window is in. */
static member *current(evx_engine *e)
{
  return &e->active->mem[e->member];
}

/* Start the current network on the busy window: its summary first. */
static void begin_member(evx_engine *e)
{
  member *mb = current(e);
  evx_input_begin_pros(&e->job, &mb->model->cfg, e->window, e->window_pros, e->window_n);
  e->phase = PHASE_INPUT;
}

/* The finished network's output, mapped to the canonical order, joins the
 * sum; after the last network the mean is published. Returns 1 then. */
static int collect(evx_engine *e)
{
  const evx_engine_model *em = e->active;
  const member *mb = current(e);
  evx_ensemble_add(e->acc, evx_net_output(mb->net), mb->model->n_labels, mb->map);
  if (++e->member < em->n) {
    begin_member(e);
    return 0;
  }
  evx_ensemble_mean(e->acc, EVX_N_EMOTIONS, em->n);
  e->busy = 0;
  e->stats.inferences++;
  publish(e, e->acc, e->busy_voiced, e->busy_frame);
  return 1;
}

/* Start on the newest window: each network in turn, its summary first
 * (sliced), then its adaptation and inference. A voiced window (learn = 1)
 * joins the speaker statistics of adapting networks once summarised. */
static void begin(evx_engine *e, int learn)
{
  evx_engine_model *em = e->active;
  const evx_feature_config *c = &em->model->cfg;
  uint32_t n = e->filled < c->window_frames ? e->filled : c->window_frames;
  /* the newest n frames end just before pos (mirrored copy at pos + cap);
   * they stay in place for cap - n >= U more frames (fits()) */
  e->window = e->ring + (size_t)(e->pos + e->cap - n) * EVX_NFEAT;
  e->window_pros = e->pros_ring + (size_t)(e->pos + e->cap - n) * EVX_NPROS;
  e->window_n = n;
  e->learn = learn && e->frames - n >= e->voice_from && e->adapt_mode == EVX_ENGINE_ADAPT_LEARN;
  e->cold = e->adapt_mode == EVX_ENGINE_ADAPT_OFF;
  e->member = 0;
  memset(e->acc, 0, sizeof e->acc);
  begin_member(e);
  e->busy = 1;
}

/* At most k (at least 1) units of the input summary or the adaptation:
 * returns the units done. */
static uint64_t prep_step(evx_engine *e, uint64_t k)
{
  member *mb = current(e);
  uint32_t max_units = k > UINT32_MAX ? UINT32_MAX : (uint32_t)k;
  if (e->phase == PHASE_INPUT) {
    uint32_t before = e->job.next;
    if (evx_input_step(&e->job, &mb->model->cfg, mb->input, max_units)) {
      e->phase = PHASE_ADAPT;
      /* the layout is fixed now; a voice change later only drops the update */
      evx_adapt_begin(&e->adapt_job, &mb->model->adapt, mb->input, e->learn, e->cold);
    }
    return e->job.next > before ? e->job.next - before : 1;
  }
  uint32_t before = e->adapt_job.next;
  if (evx_adapt_step(&e->adapt_job, mb->adapt ? mb->adapt + e->voice : NULL, max_units)) {
    evx_net_begin(mb->net, mb->input);
    e->phase = PHASE_NET;
  }
  return e->adapt_job.next - before;
}

/* Spend at most about `budget` FLOPs (at least one unit of progress) on the
 * window in progress, network after network; publishes and returns 1 when
 * its result is ready. */
static int advance(evx_engine *e, uint64_t budget)
{
  for (;;) {
    member *mb = current(e);
    while (e->phase != PHASE_NET) {
      uint64_t cost = e->phase == PHASE_INPUT ? mb->unit_cost : adapt_cost(mb);
      uint64_t k = cost ? budget / cost : UINT64_MAX;
      if (k < 1) k = 1;
      uint64_t done = prep_step(e, k);
      e->call_units += done;
      uint64_t spent = done * cost;
      if (budget != UINT64_MAX) /* UINT64_MAX: complete it now */
        budget = budget > spent ? budget - spent : 0;
      if (!budget)
        return 0;
    }
    uint64_t spent = 0;
    if (!evx_net_step_spent(mb->net, budget, &spent))
      return 0;
    if (collect(e))
      return 1;
    if (budget != UINT64_MAX)
      budget = budget > spent ? budget - spent : 0;
    if (!budget)
      return 0;
  }
}

/* An update boundary: is there speech (evx_speech.h, over the last second,
 * frames below the gate counting as silence)? Then start a new inference
 * (completing the previous one first if a long push outran it). */
static void boundary(evx_engine *e)
{
  int voiced = evx_speech_decide(&e->speech, e->par.gate, &e->speech_m);
  e->since = 0;
  if (!e->active) {
    publish(e, NULL, voiced, e->frames);
    return;
  }
  if (e->busy) {
    advance(e, UINT64_MAX);
    e->call_budget += e->active->work;
    e->stats.forced++;
  }
  begin(e, voiced);
  e->busy_voiced = voiced;
  e->busy_frame = e->frames;
}

/* f: the frame's features; raw: its 16 kHz samples (the speech detector);
 * pr: its prosody row, NULL while the tracker is off (0s). */
static void add_frame(evx_engine *e, const float *f, const float *raw, const float *pr)
{
  evx_speech_frame(&e->speech, raw, f);
  float *a = e->ring + (size_t)e->pos * EVX_NFEAT;
  memcpy(a, f, EVX_NFEAT * sizeof *f);
  memcpy(a + (size_t)e->cap * EVX_NFEAT, f, EVX_NFEAT * sizeof *f);
  float *b = e->pros_ring + (size_t)e->pos * EVX_NPROS;
  if (pr)
    memcpy(b, pr, EVX_NPROS * sizeof *pr);
  else
    memset(b, 0, EVX_NPROS * sizeof *b);
  memcpy(b + (size_t)e->cap * EVX_NPROS, b, EVX_NPROS * sizeof *b);
  e->pos = e->pos + 1 == e->cap ? 0 : e->pos + 1;
  if (e->filled < e->cap)
    e->filled++;
  e->frames++;
  if (++e->since >= e->U)
    boundary(e);
}

static uint32_t push_chunk(evx_engine *e, const float *in, uint32_t n)
{
  uint64_t before = e->out.updates;
  uint32_t m = evx_fx_push_ext(e->fx, e->want_pros ? e->pr : NULL, in, n, e->fx_out,
                               e->want_pros ? e->pros_out : NULL, e->fx_raw);
  for (uint32_t i = 0; i < m; i++)
    add_frame(e, e->fx_out + (size_t)i * EVX_NFEAT, e->fx_raw + (size_t)i * EVX_FRAME,
              e->want_pros ? e->pros_out + (size_t)i * EVX_NPROS : NULL);
  if (e->busy) {
    double b = ceil(n * e->flops_per_sample);
    uint64_t budget = b < 1.0 ? 1u : b > 1e18 ? UINT64_MAX : (uint64_t)b;
    e->call_budget += budget;
    advance(e, budget);
  }
  return (uint32_t)(e->out.updates - before);
}

uint32_t evx_engine_push(evx_engine *e, const float *in, uint32_t n)
{
  uint32_t published = 0;
  e->call_budget = 0;
  e->call_units = 0;
  e->stats.pushes++;
  if (n > e->stats.max_call_samples)
    e->stats.max_call_samples = n;
  while (n > 0) {
    uint32_t k = n < e->max_block ? n : e->max_block;
    published += push_chunk(e, in, k);
    in += k;
    n -= k;
  }
  if (e->call_budget > e->stats.max_call_budget)
    e->stats.max_call_budget = e->call_budget;
  if (e->call_units > e->stats.max_call_units)
    e->stats.max_call_units = e->call_units;
  return published;
}

int evx_engine_finish(evx_engine *e)
{
  if (!e->busy)
    return 0;
  advance(e, UINT64_MAX);
  return 1;
}

evx_engine_model *evx_engine_swap(evx_engine *e, evx_engine_model *em)
{
  if (!em || !fits(e->cap, em))
    return em;
  evx_engine_model *old = e->active;
  int was_busy = e->busy;
  adopt(e, em);
  e->busy = 0;
  if (was_busy)
    begin(e, 0); /* same boundary, same voice decision, the new model */
  if (e->since >= e->U)
    e->since = e->U - 1;
  return old;
}

const evx_engine_model *evx_engine_active(const evx_engine *e)
{
  return e->active;
}

void evx_engine_reset(evx_engine *e)
{
  evx_fx_reset(e->fx);
  evx_pr_reset(e->pr);
  e->pos = e->filled = 0;
  e->frames = 0;
  e->since = 0;
  evx_speech_reset(&e->speech);
  memset(&e->speech_m, 0, sizeof e->speech_m);
  e->busy = 0;
  uint64_t updates = e->out.updates;
  if (e->active)
    forget_all(e->active);
  e->voice_from = 0;
  clear_state(e);
  e->out.updates = updates;
}

/* Windows that began before now still hold the previous voice: they are
 * scored but not learned from, the one in progress included. */
static void voice_changes_now(evx_engine *e)
{
  e->voice_from = e->frames;
  e->learn = 0;
  evx_adapt_stop_learning(&e->adapt_job);
}

void evx_engine_new_voice(evx_engine *e)
{
  for (uint32_t i = 0; e->active && i < e->active->n; i++) {
    member *mb = &e->active->mem[i];
    if (mb->adapt)
      evx_adapt_reset(mb->adapt + e->voice, &mb->model->adapt);
  }
  voice_changes_now(e);
}

void evx_engine_set_voice(evx_engine *e, uint32_t slot)
{
  if (slot >= EVX_ENGINE_VOICES || slot == e->voice)
    return;
  e->voice = slot;
  voice_changes_now(e);
}

uint32_t evx_engine_voice(const evx_engine *e)
{
  return e->voice;
}

void evx_engine_set_adapt(evx_engine *e, evx_engine_adapt mode)
{
  if (mode == EVX_ENGINE_ADAPT_LEARN || mode == EVX_ENGINE_ADAPT_FREEZE ||
      mode == EVX_ENGINE_ADAPT_OFF)
    e->adapt_mode = mode;
}

evx_engine_adapt evx_engine_get_adapt(const evx_engine *e)
{
  return e->adapt_mode;
}

void evx_engine_speech(const evx_engine *e, evx_speech_measures *m)
{
  *m = e->speech_m;
}

const evx_engine_out *evx_engine_output(const evx_engine *e)
{
  return &e->out;
}

void evx_engine_get_stats(const evx_engine *e, evx_engine_stats *s)
{
  *s = e->stats;
}

void evx_engine_reset_stats(evx_engine *e)
{
  memset(&e->stats, 0, sizeof e->stats);
  e->stats.flops_per_sample = e->flops_per_sample;
  e->stats.work_per_inference = e->active ? e->active->work : 0;
}
