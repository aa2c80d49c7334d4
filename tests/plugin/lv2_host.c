/* lv2_host.c: the test host (lv2_host.h). */
#include "lv2_host.h"
#include "emovox_ext.h"

#include <lv2/atom/atom.h>
#include <lv2/atom/forge.h>
#include <lv2/atom/util.h>
#include <lv2/log/log.h>
#include <lv2/midi/midi.h>
#include <lv2/patch/patch.h>
#include <lv2/urid/urid.h>
#include <lv2/worker/worker.h>

#include <dlfcn.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ATOM_CAP 8192u
#define MSG_CAP 8192u
#define QUEUE 16

typedef struct { uint32_t size; _Alignas(16) uint8_t data[MSG_CAP]; } th_msg;

typedef enum { PT_AUDIO, PT_CONTROL, PT_ATOM, PT_OTHER } port_type;

typedef struct {
  port_type type;
  int is_input;
  const char *symbol;
  float value;
  float *audio;
  LV2_Atom_Sequence *atom;
} th_port;

struct th_host {
  LilvWorld *world;
  const LilvPlugin *plugin;
  LilvInstance *instance;
  uint32_t n_ports, max_block;
  th_port *ports;
  int audio_in, audio_out;
  th_rt_hook hook;

  /* features */
  LV2_URID_Map map;
  LV2_Log_Log log;
  LV2_Worker_Schedule schedule;
  LV2_Feature f_map, f_log, f_sched;
  const LV2_Feature *features[4];
  const LV2_Worker_Interface *worker;
  th_msg requests[QUEUE], responses[QUEUE];
  int n_requests, n_responses;
  int pending_control;
  LV2_Atom_Forge forge;
  LV2_URID atom_Sequence, atom_Chunk;

  int log_count;
  char log_last[1024];
};

/* ---- urid:map (a process-wide table; mapping happens at instantiate) ------- */

static char *uris[512];
static uint32_t n_uris;

static LV2_URID map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
  (void)handle;
  for (uint32_t i = 0; i < n_uris; i++)
    if (!strcmp(uris[i], uri))
      return i + 1;
  if (n_uris == sizeof uris / sizeof uris[0])
    return 0;
  uris[n_uris] = strdup(uri);
  return ++n_uris;
}

/* ---- log ------------------------------------------------------------------------ */

static int log_vprintf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, va_list ap)
{
  (void)type;
  th_host *h = handle;
  h->log_count++;
  return vsnprintf(h->log_last, sizeof h->log_last, fmt, ap);
}

static int log_printf(LV2_Log_Handle handle, LV2_URID type, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int r = log_vprintf(handle, type, fmt, ap);
  va_end(ap);
  return r;
}

/* ---- worker ------------------------------------------------------------------------ */

static LV2_Worker_Status push_msg(th_msg *q, int *n, uint32_t size, const void *data)
{
  if (*n == QUEUE || size > MSG_CAP)
    return LV2_WORKER_ERR_NO_SPACE;
  q[*n].size = size;
  memcpy(q[*n].data, data, size);
  (*n)++;
  return LV2_WORKER_SUCCESS;
}

static LV2_Worker_Status schedule_work(LV2_Worker_Schedule_Handle handle, uint32_t size,
                                       const void *data)
{
  th_host *h = handle;
  return push_msg(h->requests, &h->n_requests, size, data);
}

static LV2_Worker_Status respond(LV2_Worker_Respond_Handle handle, uint32_t size,
                                 const void *data)
{
  th_host *h = handle;
  return push_msg(h->responses, &h->n_responses, size, data);
}

/* ---- setup ---------------------------------------------------------------------------- */

const char *th_bundle_dir(void)
{
  static char dir[4096];
  const char *root = getenv("EVX_BUILD_ROOT");
  snprintf(dir, sizeof dir, "%s/emovox.lv2/", root ? root : ".");
  return dir;
}

th_host *th_open(const char *uri, double rate, uint32_t max_block, int features)
{
  char manifest[4200];
  snprintf(manifest, sizeof manifest, "%smanifest.ttl", th_bundle_dir());
  if (access(manifest, R_OK))
    return NULL;
  /* Keep the plugin library (and FFTW under it) loaded for the life of the
   * process, as long-running hosts do: FFTW's planner caches live until
   * fftw_cleanup(), which a plugin must not call (the host may use FFTW
   * too), and unloading them would read as a leak under LeakSanitizer. */
  static void *keep;
  if (!keep) {
    char so[4200];
    snprintf(so, sizeof so, "%semovox.so", th_bundle_dir());
    keep = dlopen(so, RTLD_NOW | RTLD_NODELETE);
  }
  th_host *h = calloc(1, sizeof *h);
  h->world = lilv_world_new();
  h->max_block = max_block;
  LilvNode *bundle = lilv_new_file_uri(h->world, NULL, th_bundle_dir());
  lilv_world_load_bundle(h->world, bundle);
  lilv_node_free(bundle);
  LilvNode *u = lilv_new_uri(h->world, uri);
  h->plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(h->world), u);
  lilv_node_free(u);
  if (!h->plugin) {
    th_close(h);
    return NULL;
  }

  h->map = (LV2_URID_Map){ h, map_uri };
  h->log = (LV2_Log_Log){ h, log_printf, log_vprintf };
  h->schedule = (LV2_Worker_Schedule){ h, schedule_work };
  h->f_map = (LV2_Feature){ LV2_URID__map, &h->map };
  h->f_log = (LV2_Feature){ LV2_LOG__log, &h->log };
  h->f_sched = (LV2_Feature){ LV2_WORKER__schedule, &h->schedule };
  if (features) {
    h->features[0] = &h->f_map;
    h->features[1] = &h->f_log;
    h->features[2] = &h->f_sched;
  }
  lv2_atom_forge_init(&h->forge, &h->map);
  h->atom_Sequence = map_uri(h, LV2_ATOM__Sequence);
  h->atom_Chunk = map_uri(h, LV2_ATOM__Chunk);
  h->instance = lilv_plugin_instantiate(h->plugin, rate, h->features);
  if (!h->instance) {
    th_close(h);
    return NULL;
  }
  if (features)
    h->worker = lilv_instance_get_extension_data(h->instance, LV2_WORKER__interface);

  h->n_ports = lilv_plugin_get_num_ports(h->plugin);
  h->ports = calloc(h->n_ports, sizeof *h->ports);
  float *defaults = calloc(h->n_ports, sizeof *defaults);
  lilv_plugin_get_port_ranges_float(h->plugin, NULL, NULL, defaults);
  LilvNode *audio = lilv_new_uri(h->world, LV2_CORE__AudioPort);
  LilvNode *control = lilv_new_uri(h->world, LV2_CORE__ControlPort);
  LilvNode *atom = lilv_new_uri(h->world, LV2_ATOM__AtomPort);
  LilvNode *input = lilv_new_uri(h->world, LV2_CORE__InputPort);
  for (uint32_t i = 0; i < h->n_ports; i++) {
    const LilvPort *lp = lilv_plugin_get_port_by_index(h->plugin, i);
    th_port *p = &h->ports[i];
    p->symbol = lilv_node_as_string(lilv_port_get_symbol(h->plugin, lp));
    p->is_input = lilv_port_is_a(h->plugin, lp, input);
    void *buf = NULL;
    if (lilv_port_is_a(h->plugin, lp, audio)) {
      p->type = PT_AUDIO;
      buf = p->audio = calloc(max_block, sizeof(float));
    } else if (lilv_port_is_a(h->plugin, lp, control)) {
      p->type = PT_CONTROL;
      p->value = isnan(defaults[i]) ? 0.0f : defaults[i];
      buf = &p->value;
    } else if (lilv_port_is_a(h->plugin, lp, atom)) {
      p->type = PT_ATOM;
      buf = p->atom = aligned_alloc(16, ATOM_CAP);
      memset(p->atom, 0, ATOM_CAP);
    } else {
      p->type = PT_OTHER;
    }
    lilv_instance_connect_port(h->instance, i, buf);
  }
  lilv_node_free(audio);
  lilv_node_free(control);
  lilv_node_free(atom);
  lilv_node_free(input);
  free(defaults);
  lilv_instance_activate(h->instance);
  return h;
}

void th_close(th_host *h)
{
  if (!h)
    return;
  if (h->instance) {
    lilv_instance_deactivate(h->instance);
    /* let the worker free what is still queued (replaced models) */
    for (int i = 0; i < h->n_requests && h->worker; i++)
      h->worker->work(lilv_instance_get_handle(h->instance), respond, h,
                      h->requests[i].size, h->requests[i].data);
    lilv_instance_free(h->instance);
  }
  for (uint32_t i = 0; h->ports && i < h->n_ports; i++) {
    free(h->ports[i].audio);
    free(h->ports[i].atom);
  }
  free(h->ports);
  lilv_world_free(h->world);
  free(h);
}

const LilvPlugin *th_plugin(const th_host *h) { return h->plugin; }
LilvInstance *th_instance(const th_host *h) { return h->instance; }
LilvWorld *th_world(const th_host *h) { return h->world; }
LV2_URID_Map *th_map(th_host *h) { return &h->map; }
void th_set_rt_hook(th_host *h, th_rt_hook hook) { h->hook = hook; }

static th_port *find(const th_host *h, const char *symbol)
{
  for (uint32_t i = 0; i < h->n_ports; i++)
    if (!strcmp(h->ports[i].symbol, symbol))
      return &h->ports[i];
  return NULL;
}

/* ---- running ----------------------------------------------------------------------------- */

static void prepare_atoms(th_host *h)
{
  for (uint32_t i = 0; i < h->n_ports; i++) {
    th_port *p = &h->ports[i];
    if (p->type != PT_ATOM)
      continue;
    if (p->is_input && h->pending_control)
      continue;   /* th_send_model forged a message into it */
    if (p->is_input) {
      p->atom->atom.size = sizeof(LV2_Atom_Sequence_Body);
      p->atom->atom.type = h->atom_Sequence;
      p->atom->body.unit = p->atom->body.pad = 0;
    } else {
      p->atom->atom.size = ATOM_CAP - sizeof(LV2_Atom);
      p->atom->atom.type = h->atom_Chunk;
    }
  }
}

static void run_connected(th_host *h, uint32_t n)
{
  prepare_atoms(h);
  LV2_Handle handle = lilv_instance_get_handle(h->instance);
  /* real-time window: responses from the worker, then run() */
  if (h->hook)
    h->hook(1);
  for (int i = 0; i < h->n_responses; i++)
    h->worker->work_response(handle, h->responses[i].size, h->responses[i].data);
  h->n_responses = 0;
  lilv_instance_run(h->instance, n);
  if (h->hook)
    h->hook(0);
  h->pending_control = 0;
  /* the "worker thread" (work() only responds, it schedules nothing) */
  for (int i = 0; i < h->n_requests && h->worker; i++)
    h->worker->work(handle, respond, h, h->requests[i].size, h->requests[i].data);
  h->n_requests = 0;
}

void th_run(th_host *h, const float *in, uint32_t n)
{
  th_port *pin = find(h, "in");
  th_port *pout = find(h, "out");
  memcpy(pin->audio, in, n * sizeof *in);
  if (pout)
    lilv_instance_connect_port(h->instance, (uint32_t)(pout - h->ports), pout->audio);
  run_connected(h, n);
}

void th_run_inplace(th_host *h, float *io, uint32_t n)
{
  th_port *pin = find(h, "in");
  th_port *pout = find(h, "out");
  lilv_instance_connect_port(h->instance, (uint32_t)(pin - h->ports), io);
  lilv_instance_connect_port(h->instance, (uint32_t)(pout - h->ports), io);
  run_connected(h, n);
  lilv_instance_connect_port(h->instance, (uint32_t)(pin - h->ports), pin->audio);
  lilv_instance_connect_port(h->instance, (uint32_t)(pout - h->ports), pout->audio);
}

float th_control(const th_host *h, const char *symbol)
{
  const th_port *p = find(h, symbol);
  return p && p->type == PT_CONTROL ? p->value : NAN;
}

void th_set_control(th_host *h, const char *symbol, float v)
{
  th_port *p = find(h, symbol);
  if (p && p->type == PT_CONTROL)
    p->value = v;
}

const float *th_audio(const th_host *h, const char *symbol)
{
  const th_port *p = find(h, symbol);
  return p && p->type == PT_AUDIO ? p->audio : NULL;
}

void th_probs(const th_host *h, uint32_t frame, float *p)
{
  for (int k = 0; k < EVX_N_EMOTIONS; k++) {
    const float *a = th_audio(h, evx_emotion_name(k));
    p[k] = a ? a[frame] : th_control(h, evx_emotion_name(k));
  }
}

/* One patch:Set of property at frame, its value forged by put; the control
 * buffer holds this one message for the next run. */
static void send_patch(th_host *h, uint32_t frame, const char *property,
                       void (*put)(LV2_Atom_Forge *f, const void *arg), const void *arg)
{
  th_port *p = find(h, "control");
  if (!p)
    return;
  LV2_Atom_Forge *f = &h->forge;
  lv2_atom_forge_set_buffer(f, (uint8_t *)p->atom, ATOM_CAP);
  LV2_Atom_Forge_Frame seq, obj;
  lv2_atom_forge_sequence_head(f, &seq, 0);
  lv2_atom_forge_frame_time(f, frame);
  lv2_atom_forge_object(f, &obj, 0, h->map.map(h, LV2_PATCH__Set));
  lv2_atom_forge_key(f, h->map.map(h, LV2_PATCH__property));
  lv2_atom_forge_urid(f, h->map.map(h, property));
  lv2_atom_forge_key(f, h->map.map(h, LV2_PATCH__value));
  put(f, arg);
  lv2_atom_forge_pop(f, &obj);
  lv2_atom_forge_pop(f, &seq);
  h->pending_control = 1;
}

LV2_Atom_Forge *th_control_forge(th_host *h, LV2_Atom_Forge_Frame *seq)
{
  th_port *p = find(h, "control");
  if (!p)
    return NULL;
  LV2_Atom_Forge *f = &h->forge;
  lv2_atom_forge_set_buffer(f, (uint8_t *)p->atom, ATOM_CAP);
  lv2_atom_forge_sequence_head(f, seq, 0);
  h->pending_control = 1;
  return f;
}

static void put_path(LV2_Atom_Forge *f, const void *arg)
{
  lv2_atom_forge_path(f, arg, (uint32_t)strlen(arg));
}

static void put_true(LV2_Atom_Forge *f, const void *arg)
{
  (void)arg;
  lv2_atom_forge_bool(f, true);
}

void th_send_model(th_host *h, const char *path)
{
  send_patch(h, 0, EMOVOX_URI_MODEL, put_path, path);
}

void th_send_new_voice(th_host *h, uint32_t frame)
{
  send_patch(h, frame, EMOVOX_URI_NEW_VOICE, put_true, NULL);
}

static void put_int(LV2_Atom_Forge *f, const void *arg)
{
  lv2_atom_forge_int(f, *(const int32_t *)arg);
}

void th_send_voice(th_host *h, uint32_t frame, int32_t voice)
{
  send_patch(h, frame, EMOVOX_URI_VOICE, put_int, &voice);
}

int th_midi_ccs_on(const th_host *h, int (*cc)[3], int max)
{
  const th_port *p = find(h, "midi_out");
  if (!p)
    return 0;
  LV2_URID midi = ((th_host *)h)->map.map(NULL, LV2_MIDI__MidiEvent);
  int n = 0;
  LV2_ATOM_SEQUENCE_FOREACH (p->atom, ev) {
    const uint8_t *b = (const uint8_t *)(&ev->body + 1);
    if (ev->body.type == midi && ev->body.size == 3 && (b[0] & 0xF0) == 0xB0 && n < max) {
      cc[n][0] = b[1];
      cc[n][1] = b[2];
      cc[n][2] = (b[0] & 0x0F) + 1;
      n++;
    }
  }
  return n;
}

const LV2_Atom_Sequence *th_atom(const th_host *h, const char *symbol)
{
  const th_port *p = find(h, symbol);
  return p ? p->atom : NULL;
}

int th_midi_ccs(const th_host *h, int (*cc)[2], int max)
{
  int all[64][3], n = th_midi_ccs_on(h, all, max < 64 ? max : 64);
  for (int i = 0; i < n; i++)
    cc[i][0] = all[i][0], cc[i][1] = all[i][1];
  return n;
}

int th_log_count(const th_host *h) { return h->log_count; }
const char *th_log_last(const th_host *h) { return h->log_last; }
