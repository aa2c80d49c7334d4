/* emovox.c: the LV2 glue for urn:emovox:meter, urn:emovox:meter-midi and
 * urn:emovox:render, each also as a stereo variant (-stereo). All analysis is the shared engine (core/evx_engine.h);
 * this file only maps ports, features, state and the worker onto it.
 *
 * Threads (LV2 threading classes):
 *   instantiate, cleanup, activate, deactivate, save, restore: the
 *     instantiation/discovery thread (may allocate and do I/O);
 *   connect_port, run, work_response: the audio thread (real-time: no
 *     allocation, lock, I/O or syscall, bounded work);
 *   work: the worker thread (loads model bundles, frees replaced ones).
 */
#include "emovox_ext.h"
#include "model_ref.h"
#include "evx_engine.h"
#include "evx_features.h"
#include "evx_labels.h"
#include "evx_nn_ensemble.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/core/lv2.h>
#include <lv2/core/lv2_util.h>
#include <lv2/log/log.h>
#include <lv2/log/logger.h>
#include <lv2/midi/midi.h>
#include <lv2/patch/patch.h>
#include <lv2/state/state.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define EVX_HAVE_MXCSR 1
#endif

#define PATH_CAP 4096u     /* longest model path accepted */
#define RENDER_CHUNK 64u   /* render: time resolution of the held levels */
#define MAX_VOICE_EVENTS 64u /* voice / newVoice messages acted on per run() */
#define MIX_CHUNK 1024u    /* stereo: frames mixed for the engine at a time */
/* stereo, channel Both: the running correlation of L and R (its share of
 * their mean power) below which they count as antiphase, and above which
 * they count as in phase again (hysteresis); its time constant */
#define ANTI_ON  (-0.5)
#define ANTI_OFF (-0.2)
#define CORR_SECONDS 0.5

typedef enum { KIND_METER, KIND_METER_MIDI, KIND_RENDER } PluginKind;

/* Port indices of meter and meter-midi (meter-midi adds MIDI_OUT). */
typedef enum {
  METER_IN = 0,
  METER_OUT = 1,
  METER_RESPONSE = 2,
  METER_GATE = 3,
  METER_HOLD = 4,
  METER_PROB = 5,                               /* 5..12: angry..surprised */
  METER_DOMINANT = METER_PROB + EVX_N_EMOTIONS, /* 13 */
  METER_CONFIDENCE,                             /* 14 */
  METER_SPEECH,                                 /* 15: speech detected */
  METER_AROUSAL,                                /* 16 */
  METER_VALENCE,                                /* 17 */
  METER_CONTROL,                                /* 18: patch messages in */
  METER_MIDI_OUT,                               /* 19: meter-midi only */
  METER_MIDI_CHANNEL,                           /* 20: meter-midi only, 1..16 */
  METER_FIRST_CC                                /* 21: meter-midi only, 0..119 */
} MeterPort;

/* Ports added after the first release go after each plugin's last port, so
 * that the indices above stay: adapt comes first. */
enum { EXTRA_ADAPT = 0, EXTRA_NOTIFY = 1,
       EXTRA_CHANNEL = 2, EXTRA_IN_R = 3, EXTRA_OUT_R = 4 };   /* the last three: stereo */

/* The stereo `channel` control. */
enum { CHANNEL_BOTH = 0, CHANNEL_LEFT = 1, CHANNEL_RIGHT = 2 };

/* Port indices of render. */
typedef enum {
  RENDER_IN = 0,
  RENDER_OUT = 1,                               /* 1..8: angry..surprised */
  RENDER_RESPONSE = RENDER_OUT + EVX_N_EMOTIONS, /* 9 */
  RENDER_GATE,                                  /* 10 */
  RENDER_HOLD,                                  /* 11 */
  RENDER_CONTROL                                /* 12 */
} RenderPort;

/* The first index after a plugin's original ports (EXTRA_*). */
static uint32_t extra_base(PluginKind kind)
{
  return kind == KIND_METER ? METER_MIDI_OUT : kind == KIND_METER_MIDI ? METER_FIRST_CC + 1
                                                                       : RENDER_CONTROL + 1;
}

typedef struct {
  LV2_URID atom_Path, atom_URID, atom_Object, atom_Sequence, atom_Blank, atom_Resource;
  LV2_URID atom_Int, atom_Long, atom_Float, atom_Double;
  LV2_URID midi_MidiEvent, patch_Set, patch_property, patch_value, model, new_voice, voice;
  LV2_URID patch_Get, atom_String, model_status;
} Uris;

/* Worker messages (copied by the host between threads). */
enum { MSG_LOAD = 1, MSG_FREE = 2 };
typedef struct { uint32_t type; uint32_t len; char path[PATH_CAP]; } LoadMsg;
typedef struct LoadedModel { evx_engine_model *em; char path[PATH_CAP]; } LoadedModel;
typedef struct { uint32_t type; evx_engine_model *em; LoadedModel *box; } FreeMsg;
typedef struct { LoadedModel *box; } LoadedMsg;

typedef struct {
  PluginKind kind;
  int stereo;

  /* ports */
  const float *in;
  float *out;
  const float *response, *gate, *hold, *adapt;
  const float *channel, *in_r;     /* stereo */
  float *out_r;
  float *prob[EVX_N_EMOTIONS];     /* meter: control outs; render: audio outs */
  float *dominant, *confidence, *speech, *arousal, *valence;
  const LV2_Atom_Sequence *control;
  LV2_Atom_Sequence *midi_out;
  LV2_Atom_Sequence *notify;       /* patch:Set of modelStatus (patch:readable) */

  /* host features (all optional but map for meter-midi) */
  LV2_URID_Map *map;
  LV2_Worker_Schedule *schedule;
  LV2_Log_Logger logger;
  Uris uris;
  LV2_Atom_Forge forge;

  /* analysis */
  double rate;
  void *engine_mem;
  size_t engine_bytes;
  evx_engine *engine;
  char bundle_path[PATH_CAP];
  ModelRef model;                  /* the path state saves, and its status */
  uint32_t status_sent;            /* model_ref_version last sent on notify */
  int status_asked;                /* a patch:Get arrived */
  uint32_t swaps;
  int last_cc[EVX_N_EMOTIONS + 1];

  /* stereo: what the engine hears */
  float mix[MIX_CHUNK];
  double corr, power;              /* running sums of L*R and (L^2 + R^2) / 2 */
  double corr_decay;               /* per sample */
  int antiphase;
  const float *midi_channel, *first_cc;   /* meter-midi controls (may be NULL) */
  int last_status, last_first;            /* what last_cc was sent with */
} Emovox;

/* ---- helpers ------------------------------------------------------------- */

static void map_uris(Emovox *self)
{
  LV2_URID_Map *m = self->map;
  Uris *u = &self->uris;
  u->atom_Path = m->map(m->handle, LV2_ATOM__Path);
  u->atom_URID = m->map(m->handle, LV2_ATOM__URID);
  u->atom_Object = m->map(m->handle, LV2_ATOM__Object);
  u->atom_Blank = m->map(m->handle, LV2_ATOM__Blank);
  u->atom_Resource = m->map(m->handle, LV2_ATOM__Resource);
  u->atom_Sequence = m->map(m->handle, LV2_ATOM__Sequence);
  u->midi_MidiEvent = m->map(m->handle, LV2_MIDI__MidiEvent);
  u->patch_Set = m->map(m->handle, LV2_PATCH__Set);
  u->patch_property = m->map(m->handle, LV2_PATCH__property);
  u->patch_value = m->map(m->handle, LV2_PATCH__value);
  u->model = m->map(m->handle, EMOVOX_URI_MODEL);
  u->new_voice = m->map(m->handle, EMOVOX_URI_NEW_VOICE);
  u->voice = m->map(m->handle, EMOVOX_URI_VOICE);
  u->patch_Get = m->map(m->handle, LV2_PATCH__Get);
  u->atom_String = m->map(m->handle, LV2_ATOM__String);
  u->model_status = m->map(m->handle, EMOVOX_URI_MODEL_STATUS);
  u->atom_Int = m->map(m->handle, LV2_ATOM__Int);
  u->atom_Long = m->map(m->handle, LV2_ATOM__Long);
  u->atom_Float = m->map(m->handle, LV2_ATOM__Float);
  u->atom_Double = m->map(m->handle, LV2_ATOM__Double);
}

/* Loads and prepares a model bundle. Non-RT (instantiate, restore, work). */
static evx_engine_model *load_model(Emovox *self, const char *path)
{
  char err[512];
  evx_engine_model *em = evx_engine_model_load(path, err, sizeof err);
  if (!em) {
    lv2_log_error(&self->logger, "emovox: cannot use model '%s': %s\n", path, err);
    return NULL;
  }
  if (self->engine && !evx_engine_accepts(self->engine, em)) {
    lv2_log_error(&self->logger, "emovox: model '%s' has a window longer than %u frames\n",
                  path, EVX_ENGINE_MIN_RING);
    evx_engine_model_free(em);
    return NULL;
  }
  return em;
}

/* ---- instantiation thread -------------------------------------------------- */

/* The six plugins share one instantiate; the descriptor's URI says which
 * (as the LV2 book's eg-scope does). */
static const struct {
  const char *uri;
  PluginKind kind;
  int stereo;
} variants[] = {
  { EMOVOX_URI_METER, KIND_METER, 0 },
  { EMOVOX_URI_METER_MIDI, KIND_METER_MIDI, 0 },
  { EMOVOX_URI_RENDER, KIND_RENDER, 0 },
  { EMOVOX_URI_METER_STEREO, KIND_METER, 1 },
  { EMOVOX_URI_METER_MIDI_STEREO, KIND_METER_MIDI, 1 },
  { EMOVOX_URI_RENDER_STEREO, KIND_RENDER, 1 },
};

static LV2_Handle instantiate(const LV2_Descriptor *descriptor, double rate,
                              const char *bundle_path, const LV2_Feature *const *features)
{
  size_t v = 0;
  while (v < sizeof variants / sizeof variants[0] && strcmp(descriptor->URI, variants[v].uri))
    v++;
  if (v == sizeof variants / sizeof variants[0])
    return NULL;
  PluginKind kind = variants[v].kind;
  Emovox *self = calloc(1, sizeof *self);
  if (!self)
    return NULL;
  self->kind = kind;
  self->stereo = variants[v].stereo;
  self->corr_decay = exp(-1.0 / (CORR_SECONDS * (rate > 0 ? rate : 48000.0)));
  self->rate = rate;
  LV2_Log_Log *log = NULL;
  const char *missing = lv2_features_query(features,
    LV2_LOG__log, &log, false,
    LV2_URID__map, &self->map, kind == KIND_METER_MIDI,
    LV2_WORKER__schedule, &self->schedule, false,
    NULL);
  lv2_log_logger_init(&self->logger, self->map, log);
  if (missing) {
    lv2_log_error(&self->logger, "emovox: missing feature <%s>\n", missing);
    free(self);
    return NULL;
  }
  if (self->map) {
    map_uris(self);
    lv2_atom_forge_init(&self->forge, self->map);
  }
  for (int i = 0; i <= EVX_N_EMOTIONS; i++)
    self->last_cc[i] = -1;
  self->status_sent = UINT32_MAX;   /* the status goes out with the first run() */

  snprintf(self->bundle_path, sizeof self->bundle_path, "%s", bundle_path ? bundle_path : "");
  char def[PATH_CAP + 32];
  size_t bl = strlen(self->bundle_path);
  snprintf(def, sizeof def, "%s%sdefault.emvx", self->bundle_path,
           bl && self->bundle_path[bl - 1] != '/' ? "/" : "");
  evx_engine_model *em = load_model(self, def);
  if (!em)
    lv2_log_warning(&self->logger, "emovox: running without a model (uniform output)\n");

  uint32_t window = em ? evx_engine_model_get(em)->cfg.window_frames : 0;
  self->engine_bytes = evx_engine_size(rate, EVX_MAX_BLOCK, window);
  self->engine_mem = self->engine_bytes ? malloc(self->engine_bytes) : NULL;
  self->engine = self->engine_mem ? evx_engine_init(self->engine_mem, self->engine_bytes, rate,
                                                    EVX_MAX_BLOCK, window, em) : NULL;
  if (!self->engine) {
    lv2_log_error(&self->logger, "emovox: cannot analyse at %.0f Hz\n", rate);
    evx_engine_model_free(em);
    free(self->engine_mem);
    free(self);
    return NULL;
  }
  return (LV2_Handle)self;
}

static void activate(LV2_Handle instance)
{
  Emovox *self = (Emovox *)instance;
  evx_engine_reset(self->engine);
  for (int i = 0; i <= EVX_N_EMOTIONS; i++)
    self->last_cc[i] = -1;
  self->corr = self->power = 0.0;
  self->antiphase = 0;
}

static void deactivate(LV2_Handle instance) { (void)instance; }

static void cleanup(LV2_Handle instance)
{
  Emovox *self = (Emovox *)instance;
  evx_engine_model_free(evx_engine_destroy(self->engine));
  free(self->engine_mem);
  free(self);
}

/* ---- audio thread ------------------------------------------------------------ */

/* Ports after the original ones (all plugins). */
static int connect_extra(Emovox *self, uint32_t port, void *data)
{
  uint32_t base = extra_base(self->kind);
  if (port < base)
    return 0;
  switch (port - base) {
  case EXTRA_ADAPT: self->adapt = (const float *)data; break;
  case EXTRA_NOTIFY: self->notify = (LV2_Atom_Sequence *)data; break;
  case EXTRA_CHANNEL: if (self->stereo) self->channel = (const float *)data; break;
  case EXTRA_IN_R: if (self->stereo) self->in_r = (const float *)data; break;
  case EXTRA_OUT_R: if (self->stereo && self->kind != KIND_RENDER) self->out_r = (float *)data; break;
  default: break;
  }
  return 1;
}

static void connect_meter(LV2_Handle instance, uint32_t port, void *data)
{
  Emovox *self = (Emovox *)instance;
  if (connect_extra(self, port, data))
    return;
  if (port >= METER_PROB && port < METER_PROB + EVX_N_EMOTIONS) {
    self->prob[port - METER_PROB] = (float *)data;
    return;
  }
  switch ((MeterPort)port) {
  case METER_IN: self->in = (const float *)data; break;
  case METER_OUT: self->out = (float *)data; break;
  case METER_RESPONSE: self->response = (const float *)data; break;
  case METER_GATE: self->gate = (const float *)data; break;
  case METER_HOLD: self->hold = (const float *)data; break;
  case METER_DOMINANT: self->dominant = (float *)data; break;
  case METER_CONFIDENCE: self->confidence = (float *)data; break;
  case METER_SPEECH: self->speech = (float *)data; break;
  case METER_AROUSAL: self->arousal = (float *)data; break;
  case METER_VALENCE: self->valence = (float *)data; break;
  case METER_CONTROL: self->control = (const LV2_Atom_Sequence *)data; break;
  case METER_MIDI_OUT:
    if (self->kind == KIND_METER_MIDI)
      self->midi_out = (LV2_Atom_Sequence *)data;
    break;
  case METER_MIDI_CHANNEL:
    if (self->kind == KIND_METER_MIDI)
      self->midi_channel = (const float *)data;
    break;
  case METER_FIRST_CC:
    if (self->kind == KIND_METER_MIDI)
      self->first_cc = (const float *)data;
    break;
  default: break;
  }
}

static void connect_render(LV2_Handle instance, uint32_t port, void *data)
{
  Emovox *self = (Emovox *)instance;
  if (connect_extra(self, port, data))
    return;
  if (port >= RENDER_OUT && port < RENDER_OUT + EVX_N_EMOTIONS) {
    self->prob[port - RENDER_OUT] = (float *)data;
    return;
  }
  switch ((RenderPort)port) {
  case RENDER_IN: self->in = (const float *)data; break;
  case RENDER_RESPONSE: self->response = (const float *)data; break;
  case RENDER_GATE: self->gate = (const float *)data; break;
  case RENDER_HOLD: self->hold = (const float *)data; break;
  case RENDER_CONTROL: self->control = (const LV2_Atom_Sequence *)data; break;
  default: break;
  }
}

/* A speaker event of the block, applied at its frame by run(). */
typedef struct { uint32_t frame; int32_t slot; } VoiceEvent;   /* slot -1: newVoice */

/* The model path goes to the worker. */
static void request_model(Emovox *self, const LV2_Atom *value)
{
  if (!self->schedule || !value || value->type != self->uris.atom_Path || value->size == 0 ||
      value->size >= PATH_CAP)
    return;
  LoadMsg msg;
  msg.type = MSG_LOAD;
  msg.len = value->size;
  memcpy(msg.path, LV2_ATOM_BODY_CONST(value), value->size);
  msg.path[value->size - 1] = '\0';
  self->schedule->schedule_work(self->schedule->handle,
                                (uint32_t)(offsetof(LoadMsg, path) + value->size), &msg);
}

/* A number atom (Int, Long, Float, Double) as a slot 1..EVX_ENGINE_VOICES,
 * made 0-based; -1 when it is none of these. */
static int32_t voice_slot(const Uris *u, const LV2_Atom *v)
{
  double x = -1.0;
  if (!v) return -1;
  if (v->type == u->atom_Int && v->size >= sizeof(int32_t)) x = ((const LV2_Atom_Int *)v)->body;
  else if (v->type == u->atom_Long && v->size >= sizeof(int64_t)) x = (double)((const LV2_Atom_Long *)v)->body;
  else if (v->type == u->atom_Float && v->size >= sizeof(float)) x = ((const LV2_Atom_Float *)v)->body;
  else if (v->type == u->atom_Double && v->size >= sizeof(double)) x = ((const LV2_Atom_Double *)v)->body;
  if (!(x >= 1.0 && x < EVX_ENGINE_VOICES + 1.0))   /* NaN fails too */
    return -1;
  return (int32_t)x - 1;
}

/* patch:Set messages of the block, in time order: the model path to the
 * worker, voice and newVoice into ev (at most MAX_VOICE_EVENTS; the rest of
 * a flood is dropped). Returns how many voice events. */
static uint32_t handle_control(Emovox *self, uint32_t n, VoiceEvent *ev_out)
{
  uint32_t k = 0;
  if (!self->control || !self->map)
    return 0;
  const Uris *u = &self->uris;
  LV2_ATOM_SEQUENCE_FOREACH (self->control, ev) {
    const LV2_Atom_Object *obj = (const LV2_Atom_Object *)&ev->body;
    if (obj->atom.type != u->atom_Object && obj->atom.type != u->atom_Blank)
      continue;
    if (obj->body.otype == u->patch_Get) {   /* all readable properties, or modelStatus */
      const LV2_Atom *what = NULL;
      lv2_atom_object_get(obj, u->patch_property, &what, 0);
      self->status_asked |= !what || (what->type == u->atom_URID &&
                                      ((const LV2_Atom_URID *)what)->body == u->model_status);
      continue;
    }
    if (obj->body.otype != u->patch_Set)
      continue;
    const LV2_Atom *property = NULL, *value = NULL;
    lv2_atom_object_get(obj, u->patch_property, &property, u->patch_value, &value, 0);
    if (!property || property->type != u->atom_URID)
      continue;
    LV2_URID key = ((const LV2_Atom_URID *)property)->body;
    if (key == u->model) {
      request_model(self, value);
      continue;
    }
    int32_t slot = key == u->new_voice ? -1 : key == u->voice ? voice_slot(u, value) : -2;
    if (slot == -2 || (key == u->voice && slot < 0) || k == MAX_VOICE_EVENTS)
      continue;
    int64_t t = ev->time.frames;
    uint32_t f = t < 0 ? 0 : t > (int64_t)n ? n : (uint32_t)t;
    if (k && f < ev_out[k - 1].frame)
      f = ev_out[k - 1].frame;   /* a host's out-of-order event: no going back */
    ev_out[k++] = (VoiceEvent){ f, slot };
  }
  return k;
}

static void read_params(Emovox *self)
{
  evx_engine_params p = {
    self->response ? *self->response : EVX_ENGINE_DEFAULT_RESPONSE,
    self->gate ? *self->gate : EVX_ENGINE_DEFAULT_GATE,
    self->hold ? *self->hold : EVX_ENGINE_DEFAULT_HOLD,
  };
  evx_engine_set_params(self->engine, &p);
  /* adapt: 0 learn, 1 freeze, 2 off (evx_engine_adapt); NaN or out of range: learn */
  float a = self->adapt ? *self->adapt : 0.0f;
  evx_engine_set_adapt(self->engine, a >= 0.5f && a < 1.5f ? EVX_ENGINE_ADAPT_FREEZE
                                     : a >= 1.5f && a <= 2.5f ? EVX_ENGINE_ADAPT_OFF
                                                              : EVX_ENGINE_ADAPT_LEARN);
}

static void set(float *port, float v)
{
  if (port)
    *port = v;
}

static void write_controls(Emovox *self)
{
  const evx_engine_out *o = evx_engine_output(self->engine);
  for (int i = 0; i < EVX_N_EMOTIONS; i++)
    set(self->prob[i], o->probs[i]);
  set(self->dominant, (float)o->dominant);
  set(self->confidence, o->confidence);
  set(self->speech, o->speech ? 1.0f : 0.0f);
  set(self->arousal, o->arousal);
  set(self->valence, o->valence);
}

/* A control port's value rounded into lo..hi (def when unconnected or NaN). */
static int int_control(const float *p, int lo, int hi, int def)
{
  if (!p || isnan(*p))
    return def;
  float v = *p < (float)lo ? (float)lo : *p > (float)hi ? (float)hi : *p;
  return (int)lrintf(v);
}

/* One CC per emotion and one for the dominant emotion, sent on change (all
 * of them again when the channel or the first CC changes). Audio thread. */
static void write_midi(Emovox *self)
{
  if (!self->midi_out || !self->map)
    return;
  const int status = LV2_MIDI_MSG_CONTROLLER | (int_control(self->midi_channel, 1, 16, 1) - 1);
  const int first = int_control(self->first_cc, 0, EMOVOX_CC_FIRST_MAX, EMOVOX_CC_FIRST);
  if (status != self->last_status || first != self->last_first) {
    for (int i = 0; i <= EVX_N_EMOTIONS; i++)
      self->last_cc[i] = -1;
    self->last_status = status;
    self->last_first = first;
  }
  LV2_Atom_Forge *f = &self->forge;
  const uint32_t capacity = self->midi_out->atom.size;
  lv2_atom_forge_set_buffer(f, (uint8_t *)self->midi_out, capacity);
  LV2_Atom_Forge_Frame frame;
  if (!lv2_atom_forge_sequence_head(f, &frame, 0))
    return;
  const evx_engine_out *o = evx_engine_output(self->engine);
  for (int i = 0; i <= EVX_N_EMOTIONS; i++) {
    int v = i < EVX_N_EMOTIONS ? (int)lrintf(o->probs[i] * 127.0f) : emovox_cc_dominant(o->dominant);
    v = v < 0 ? 0 : v > 127 ? 127 : v;
    if (v == self->last_cc[i])
      continue;
    uint8_t msg[3] = { (uint8_t)status, (uint8_t)(first + i), (uint8_t)v };
    LV2_Atom midiatom = { 3, self->uris.midi_MidiEvent };
    if (!lv2_atom_forge_frame_time(f, 0) || !lv2_atom_forge_raw(f, &midiatom, sizeof midiatom) ||
        !lv2_atom_forge_raw(f, msg, sizeof msg))
      break;
    lv2_atom_forge_pad(f, sizeof midiatom + sizeof msg);
    self->last_cc[i] = v;
  }
  lv2_atom_forge_pop(f, &frame);
}

/* The modelStatus text: "default", "loaded: PATH" or "not loaded: PATH"
 * (asked for by the restored state; the model that was running stays). */
static uint32_t status_text(Emovox *self, char *txt, size_t cap)
{
  char path[MODEL_REF_CAP];
  ModelStatus st = model_ref_get(&self->model, path);
  int n = snprintf(txt, cap, "%s%s", st == MODEL_DEFAULT ? "default"
                                     : st == MODEL_LOADED ? "loaded: " : "not loaded: ",
                   st == MODEL_DEFAULT ? "" : path);
  return n < 0 ? 0 : (size_t)n >= cap ? (uint32_t)cap - 1 : (uint32_t)n;
}

/* notify: a patch:Set of modelStatus when it changed or a patch:Get asked;
 * otherwise an empty sequence. Audio thread (the text is at most
 * MODEL_REF_CAP bytes). */
static void write_notify(Emovox *self)
{
  if (!self->notify || !self->map)
    return;
  LV2_Atom_Forge *f = &self->forge;
  lv2_atom_forge_set_buffer(f, (uint8_t *)self->notify, self->notify->atom.size);
  LV2_Atom_Forge_Frame seq, obj;
  if (!lv2_atom_forge_sequence_head(f, &seq, 0))
    return;
  uint32_t version = model_ref_version(&self->model);
  if (self->status_asked || version != self->status_sent) {
    const Uris *u = &self->uris;
    char txt[MODEL_REF_CAP + 32];
    uint32_t len = status_text(self, txt, sizeof txt);
    if (lv2_atom_forge_frame_time(f, 0) && lv2_atom_forge_object(f, &obj, 0, u->patch_Set) &&
        lv2_atom_forge_key(f, u->patch_property) && lv2_atom_forge_urid(f, u->model_status) &&
        lv2_atom_forge_key(f, u->patch_value) && lv2_atom_forge_string(f, txt, len)) {
      lv2_atom_forge_pop(f, &obj);
      self->status_sent = version;
      self->status_asked = 0;
    }
  }
  lv2_atom_forge_pop(f, &seq);
}

/* Stereo: frames [off, off + k) (k <= MIX_CHUNK) of what the engine judges
 * into self->mix. Left or right: that channel. Both: (L + R) / 2, or
 * (L - R) / 2 while the channels are in antiphase (their running
 * correlation well below 0), so that neither a voice on one side nor an
 * antiphase pair cancels. Audio thread. */
static const float *stereo_source(Emovox *self, uint32_t off, uint32_t k)
{
  const float *l = self->in + off, *r = self->in_r ? self->in_r + off : NULL;
  float c = self->channel ? *self->channel : 0.0f;
  int which = c >= 0.5f && c < 1.5f ? CHANNEL_LEFT : c >= 1.5f && c <= 2.5f ? CHANNEL_RIGHT
                                                                              : CHANNEL_BOTH;
  if (!r || which == CHANNEL_LEFT)
    return l;
  if (which == CHANNEL_RIGHT)
    return r;
  double corr = self->corr, power = self->power, d = self->corr_decay;
  for (uint32_t i = 0; i < k; i++) {
    float a = isfinite(l[i]) ? l[i] : 0.0f, b = isfinite(r[i]) ? r[i] : 0.0f;
    corr = d * corr + (double)a * b;
    power = d * power + 0.5 * ((double)a * a + (double)b * b);
    self->mix[i] = 0.5f * (self->antiphase ? a - b : a + b);
  }
  /* anything non-finite (huge input) starts the estimate over */
  self->corr = isfinite(corr) && isfinite(power) ? corr : 0.0;
  self->power = isfinite(corr) && isfinite(power) ? power : 0.0;
  if (self->power > 1e-20) {
    double rho = self->corr / self->power;
    self->antiphase = self->antiphase ? rho < ANTI_OFF : rho < ANTI_ON;
  }
  return self->mix;
}

/* Push frames [off, off + k) of the input (stereo: mixed as the channel
 * control says) to the engine. Audio thread. */
static void push_input(Emovox *self, uint32_t off, uint32_t k)
{
  if (!self->stereo) {
    evx_engine_push(self->engine, self->in + off, k);
    return;
  }
  for (uint32_t end = off + k; off < end;) {
    uint32_t c = end - off < MIX_CHUNK ? end - off : MIX_CHUNK;
    evx_engine_push(self->engine, stereo_source(self, off, c), c);
    off += c;
  }
}

/* render: analyse frames [off, off + k) and write the held levels, in
 * RENDER_CHUNK steps. Audio thread. */
static void render_range(Emovox *self, uint32_t off, uint32_t k)
{
  for (uint32_t end = off + k; off < end; off += RENDER_CHUNK) {
    uint32_t c = end - off < RENDER_CHUNK ? end - off : RENDER_CHUNK;
    if (self->in)
      push_input(self, off, c);  /* reads before any write */
    const evx_engine_out *o = evx_engine_output(self->engine);
    for (int e = 0; e < EVX_N_EMOTIONS; e++)
      if (self->prob[e])
        for (uint32_t i = 0; i < c; i++)
          self->prob[e][off + i] = o->probs[e];
  }
}

/* Analyse frames [off, off + k): render writes its held levels; the
 * meters only feed the engine. Audio thread. */
static void analyse(Emovox *self, uint32_t off, uint32_t k)
{
  if (self->kind == KIND_RENDER)
    render_range(self, off, k);
  else if (self->in && k)
    push_input(self, off, k);
}

static void run(LV2_Handle instance, uint32_t n)
{
  Emovox *self = (Emovox *)instance;
#ifdef EVX_HAVE_MXCSR
  const unsigned int csr = _mm_getcsr();
  _mm_setcsr(csr | 0x8040u);   /* flush denormals to zero (FTZ | DAZ) */
#endif
  VoiceEvent ev[MAX_VOICE_EVENTS];
  uint32_t n_ev = handle_control(self, n, ev), pos = 0;
  read_params(self);
  /* speaker events take effect at their own frame */
  for (uint32_t i = 0; i < n_ev; i++) {
    analyse(self, pos, ev[i].frame - pos);
    pos = ev[i].frame;
    if (ev[i].slot < 0)
      evx_engine_new_voice(self->engine);
    else
      evx_engine_set_voice(self->engine, (uint32_t)ev[i].slot);
  }
  analyse(self, pos, n - pos);
  write_notify(self);
  if (self->kind != KIND_RENDER) {
    if (self->in && self->out && self->out != self->in)
      memcpy(self->out, self->in, (size_t)n * sizeof *self->in);
    if (self->in_r && self->out_r && self->out_r != self->in_r)
      memcpy(self->out_r, self->in_r, (size_t)n * sizeof *self->in_r);
    write_controls(self);
    write_midi(self);
  }
#ifdef EVX_HAVE_MXCSR
  _mm_setcsr(csr);
#endif
}

/* ---- worker ------------------------------------------------------------------- */

/* Worker thread: load a bundle (MSG_LOAD) or free a replaced model (MSG_FREE). */
static LV2_Worker_Status work(LV2_Handle instance, LV2_Worker_Respond_Function respond,
                              LV2_Worker_Respond_Handle handle, uint32_t size, const void *data)
{
  Emovox *self = (Emovox *)instance;
  uint32_t type = size >= sizeof(uint32_t) ? *(const uint32_t *)data : 0;
  if (type == MSG_FREE && size == sizeof(FreeMsg)) {
    const FreeMsg *m = (const FreeMsg *)data;
    evx_engine_model_free(m->em);
    free(m->box);
    return LV2_WORKER_SUCCESS;
  }
  if (type != MSG_LOAD || size <= offsetof(LoadMsg, path))
    return LV2_WORKER_ERR_UNKNOWN;
  char path[PATH_CAP];
  uint32_t len = size - (uint32_t)offsetof(LoadMsg, path);
  memcpy(path, ((const LoadMsg *)data)->path, len < PATH_CAP ? len : PATH_CAP);
  path[(len < PATH_CAP ? len : PATH_CAP) - 1] = '\0';
  evx_engine_model *em = load_model(self, path);  /* logs why on failure */
  if (!em)
    return LV2_WORKER_SUCCESS;                    /* the running model stays */
  LoadedModel *box = malloc(sizeof *box);
  if (!box) {
    evx_engine_model_free(em);
    return LV2_WORKER_ERR_NO_SPACE;
  }
  box->em = em;
  snprintf(box->path, sizeof box->path, "%s", path);
  LoadedMsg reply = { box };
  if (respond(handle, sizeof reply, &reply) != LV2_WORKER_SUCCESS) {
    evx_engine_model_free(em);
    free(box);
  }
  return LV2_WORKER_SUCCESS;
}

/* Audio thread: swap the loaded model in; the old one goes back to the
 * worker to be freed. */
static LV2_Worker_Status work_response(LV2_Handle instance, uint32_t size, const void *data)
{
  Emovox *self = (Emovox *)instance;
  if (size != sizeof(LoadedMsg))
    return LV2_WORKER_ERR_UNKNOWN;
  LoadedModel *box = ((const LoadedMsg *)data)->box;
  evx_engine_model *old = evx_engine_swap(self->engine, box->em);
  if (old != box->em) {
    model_ref_set(&self->model, box->path, MODEL_LOADED);
    self->swaps++;
  }
  FreeMsg m = { MSG_FREE, old, box };
  if (self->schedule->schedule_work(self->schedule->handle, sizeof m, &m) != LV2_WORKER_SUCCESS) {
    /* nothing to do in RT: the model leaks rather than being freed here */
  }
  return LV2_WORKER_SUCCESS;
}

/* ---- state (instantiation thread) ------------------------------------------- */

static void free_path(const LV2_Feature *const *features, char *path)
{
  const LV2_State_Free_Path *fp = lv2_features_data(features, LV2_STATE__freePath);
  if (fp)
    fp->free_path(fp->handle, path);
  else
    free(path);
}

static LV2_State_Status save(LV2_Handle instance, LV2_State_Store_Function store,
                             LV2_State_Handle handle, uint32_t flags,
                             const LV2_Feature *const *features)
{
  (void)flags;
  Emovox *self = (Emovox *)instance;
  /* save may run while run() swaps a model in: a stable copy (model_ref.h).
   * A path that could not be loaded is saved all the same: the session
   * keeps its reference */
  char path[MODEL_REF_CAP];
  if (!self->map || model_ref_get(&self->model, path) == MODEL_DEFAULT || !path[0])
    return LV2_STATE_SUCCESS;   /* the default model needs no state */
  const LV2_State_Map_Path *mp = lv2_features_data(features, LV2_STATE__mapPath);
  char *apath = mp ? mp->abstract_path(mp->handle, path) : NULL;
  const char *p = apath ? apath : path;
  LV2_State_Status st = store(handle, self->uris.model, p, strlen(p) + 1, self->uris.atom_Path,
                              LV2_STATE_IS_POD | LV2_STATE_IS_PORTABLE);
  if (apath)
    free_path(features, apath);
  return st;
}

static LV2_State_Status restore(LV2_Handle instance, LV2_State_Retrieve_Function retrieve,
                                LV2_State_Handle handle, uint32_t flags,
                                const LV2_Feature *const *features)
{
  (void)flags;
  Emovox *self = (Emovox *)instance;
  if (!self->map)
    return LV2_STATE_SUCCESS;
  size_t size = 0;
  uint32_t type = 0, vflags = 0;
  const char *value = retrieve(handle, self->uris.model, &size, &type, &vflags);
  if (!value || type != self->uris.atom_Path || size == 0 || size >= PATH_CAP)
    return LV2_STATE_SUCCESS;
  const LV2_State_Map_Path *mp = lv2_features_data(features, LV2_STATE__mapPath);
  char *apath = mp ? mp->absolute_path(mp->handle, value) : NULL;
  char path[PATH_CAP];
  snprintf(path, sizeof path, "%s", apath ? apath : value);
  if (apath)
    free_path(features, apath);
  evx_engine_model *em = load_model(self, path);
  if (!em) {
    /* keep the running model (logged), and the reference: the next save
     * writes this path again, and modelStatus says it is not loaded */
    model_ref_set(&self->model, path, MODEL_MISSING);
    return LV2_STATE_SUCCESS;
  }
  /* run() is not called concurrently with restore(): swap and free here */
  evx_engine_model_free(evx_engine_swap(self->engine, em));
  model_ref_set(&self->model, path, MODEL_LOADED);
  self->swaps++;
  return LV2_STATE_SUCCESS;
}

/* ---- private statistics extension -------------------------------------------- */

static void stats_get(LV2_Handle h, evx_engine_stats *out)
{
  evx_engine_get_stats(((Emovox *)h)->engine, out);
}

static void stats_reset(LV2_Handle h) { evx_engine_reset_stats(((Emovox *)h)->engine); }

static uint64_t stats_flops(LV2_Handle h)
{
  const evx_model *m = evx_engine_model_get(evx_engine_active(((Emovox *)h)->engine));
  return m ? evx_ensemble_flops(m) : 0; /* every network of an ensemble */
}

static size_t stats_memory(LV2_Handle h)
{
  const Emovox *self = (const Emovox *)h;
  return sizeof *self + self->engine_bytes +
         evx_engine_model_bytes(evx_engine_active(self->engine));
}

static uint32_t stats_swaps(LV2_Handle h) { return ((Emovox *)h)->swaps; }

static const void *extension_data(const char *uri)
{
  static const LV2_State_Interface state = { save, restore };
  static const LV2_Worker_Interface worker = { work, work_response, NULL };
  static const EmovoxStatsInterface stats = { stats_get, stats_reset, stats_flops,
                                              stats_memory, stats_swaps };
  if (!strcmp(uri, LV2_STATE__interface))
    return &state;
  if (!strcmp(uri, LV2_WORKER__interface))
    return &worker;
  if (!strcmp(uri, EMOVOX_URI_STATS))
    return &stats;
  return NULL;
}

/* Every plugin: the same functions but for its ports' connect. */
#define DESCRIPTOR(uri, connect) \
  { uri, instantiate, connect, activate, run, deactivate, cleanup, extension_data }
static const LV2_Descriptor descriptors[] = {
  DESCRIPTOR(EMOVOX_URI_METER, connect_meter),
  DESCRIPTOR(EMOVOX_URI_METER_MIDI, connect_meter),
  DESCRIPTOR(EMOVOX_URI_RENDER, connect_render),
  DESCRIPTOR(EMOVOX_URI_METER_STEREO, connect_meter),
  DESCRIPTOR(EMOVOX_URI_METER_MIDI_STEREO, connect_meter),
  DESCRIPTOR(EMOVOX_URI_RENDER_STEREO, connect_render),
};

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
  return index < sizeof descriptors / sizeof descriptors[0] ? &descriptors[index] : NULL;
}
