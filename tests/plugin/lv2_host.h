/* lv2_host.h: a small real LV2 host for the plugin tests, built on lilv:
 * discovers <build root>/emovox.lv2/, instantiates a plugin with urid:map,
 * log and a worker (optional), connects every port to a buffer and runs it.
 * The worker is synchronous but honest about threads: requests scheduled in
 * run() are queued without allocation and executed by th_run after run()
 * returns (as a worker thread would), and their responses are delivered to
 * work_response in the next th_run, inside the real-time window. */
#ifndef EVX_LV2_HOST_H
#define EVX_LV2_HOST_H

#include <lilv/lilv.h>
#include <lv2/atom/forge.h>
#include <lv2/urid/urid.h>
#include <stddef.h>
#include <stdint.h>

typedef struct th_host th_host;

/* Hooks called around the real-time part of th_run (run() and
 * work_response), e.g. to switch an allocation counter on and off. */
typedef void (*th_rt_hook)(int entering);

/* The plugin uri from the built bundle at rate, blocks up to max_block.
 * features: 1 to offer urid:map, log and worker; 0 to offer none. NULL when
 * the bundle or plugin is missing or instantiate fails. */
th_host *th_open(const char *uri, double rate, uint32_t max_block, int features);
void th_close(th_host *h);

const LilvPlugin *th_plugin(const th_host *h);
LilvInstance *th_instance(const th_host *h);
LilvWorld *th_world(const th_host *h);
LV2_URID_Map *th_map(th_host *h);
void th_set_rt_hook(th_host *h, th_rt_hook hook);

/* Copy n samples to the audio input, run (worker as described above). */
void th_run(th_host *h, const float *in, uint32_t n);
/* Run with the audio input and output connected to the same buffer;
 * io is processed in place. */
void th_run_inplace(th_host *h, float *io, uint32_t n);

/* Port values by symbol: control value, or an audio port's buffer. */
float th_control(const th_host *h, const char *symbol);
void th_set_control(th_host *h, const char *symbol, float v);
const float *th_audio(const th_host *h, const char *symbol);

/* The plugin's eight probabilities now (canonical order): its control
 * outputs, or for render its audio outputs' sample `frame` of the last run. */
void th_probs(const th_host *h, uint32_t frame, float *p);

/* Queue a patch:Set of urn:emovox:model to path for the next run. */
void th_send_model(th_host *h, const char *path);
/* Queue a patch:Set of urn:emovox:newVoice (true) at frame of the next run;
 * it replaces a message queued before. */
void th_send_new_voice(th_host *h, uint32_t frame);
/* Any control sequence: a forge on the control port's buffer with the
 * sequence head written into seq; forge events, pop seq, then th_run.
 * NULL when the plugin has no control port. */
LV2_Atom_Forge *th_control_forge(th_host *h, LV2_Atom_Forge_Frame *seq);

/* Queue a patch:Set of urn:emovox:voice (an atom:Int) at frame. */
void th_send_voice(th_host *h, uint32_t frame, int32_t voice);

/* The MIDI CC events (controller, value) the last run produced; returns
 * how many (at most max). */
int th_midi_ccs(const th_host *h, int (*cc)[2], int max);
/* The same with the channel (1..16) third. */
int th_midi_ccs_on(const th_host *h, int (*cc)[3], int max);

/* An atom port's buffer after the last run (e.g. "notify"); NULL if none. */
const LV2_Atom_Sequence *th_atom(const th_host *h, const char *symbol);

/* Messages the plugin logged (error + warning), and the last one. */
int th_log_count(const th_host *h);
const char *th_log_last(const th_host *h);

/* <build root>/emovox.lv2/ and whether it exists. */
const char *th_bundle_dir(void);

#endif
