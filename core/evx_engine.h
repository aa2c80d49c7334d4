/* evx_engine.h: the streaming analysis engine shared by the LV2 plugins and
 * `emovox analyze` (same core, same answer).
 *
 *   host audio ─► evx_fx (resampler + extractor) ─► ring of feature frames
 *     (and, while a network of the active model reads prosody, input kind 7,
 *     the prosody tracker on the same frames ─► a ring of its rows beside;
 *     evx_prosody.h)
 *     ─► every U frames: the window's input (evx_input_step), then its
 *        speaker adaptation (a voiced window joins the running statistics,
 *        then every window is normalised by them; evx_adapt.h), then
 *        evx_net_begin / evx_net_step: all three sliced over pushes (a FLOP
 *        budget per host sample; the input and a frame matrix's adaptation
 *        in units of one feature row, or one mel band's row, each charged
 *        its time in FLOPs of the conv kernels, so no call does much more
 *        than its share whatever the work)
 *        (an ensemble, bundle v3: each network in turn on the same window,
 *        its own input kind and speaker statistics, inside the same budget)
 *     ─► on completion (of the last network: the mean of their
 *        probabilities): smoothing, speech gate, hold, dominant, confidence,
 *        arousal/valence ─► evx_engine_out
 *   each frame also feeds the speech detector (evx_speech.h); at every
 *   boundary it decides whether the last second held speech: only then is
 *   the window learned from and its result taken into the published state.
 *
 * Threads. evx_engine_size/init/destroy and evx_engine_model_new/free run in
 * a non-real-time thread (they allocate, plan FFTs, read files).
 * evx_engine_push, evx_engine_set_params, evx_engine_swap, evx_engine_output
 * and evx_engine_reset are real-time safe: no allocation, lock, I/O or
 * syscall, and work bounded by the number of samples pushed (plus at most
 * one inference per completed update interval, which only happens when one
 * push spans more than half an update interval of audio).
 *
 * Determinism. The sequence of published results depends only on the audio,
 * never on how it is cut into blocks: the feature frames are block-size
 * independent, inferences start at fixed frame counts (every U frames) and
 * sliced inference is bit-identical to a whole one. Only the moment a result
 * becomes visible (at most half an update interval after its boundary, or at
 * the end of the push for longer pushes) depends on the block size.
 */
#ifndef EVX_ENGINE_H
#define EVX_ENGINE_H

#include "evx_labels.h"
#include "evx_nn_model.h"
#include "evx_speech.h"

#include <stddef.h>
#include <stdint.h>

/* The ring keeps at least this many frames (5.12 s) so that a model with a
 * longer window than the first one can still be swapped in. */
#define EVX_ENGINE_MIN_RING 512u

/* `dominant` when there is no decision (no voice for longer than hold). */
#define EVX_ENGINE_NONE EVX_N_EMOTIONS

/* Control parameters (the plugins' control inputs). */
typedef struct {
  float response;  /* s, time constant of the exponential smoothing (0..10) */
  float gate;      /* dBFS: frames below this are silence for the speech
                      detector, a floor under it (-90..0) */
  float hold;      /* s, the last decision is kept this long through
                      unvoiced intervals (0..10) */
} evx_engine_params;

#define EVX_ENGINE_DEFAULT_RESPONSE 0.5f
#define EVX_ENGINE_DEFAULT_GATE     (-60.0f)
#define EVX_ENGINE_DEFAULT_HOLD     1.0f

/* What the engine publishes (always finite; probs sum to 1 within 1e-4). */
typedef struct {
  float probs[EVX_N_EMOTIONS]; /* smoothed, in the canonical label order */
  uint32_t dominant;           /* 0..7, or EVX_ENGINE_NONE */
  float confidence;            /* (p_max - 1/8) / (1 - 1/8), 0 when NONE */
  uint32_t speech;             /* 1 when the speech detector heard speech in
                                  the second before the result's boundary */
  float arousal, valence;      /* -1..1, sum of probs x circumplex coordinates */
  uint64_t updates;            /* results published so far */
  uint64_t frame;              /* feature frames (10 ms) seen at the boundary
                                  of the published result: its time stamp */
} evx_engine_out;

/* Counters for tests and benchmarks (work done by pushes). */
typedef struct {
  uint64_t pushes;             /* evx_engine_push calls */
  uint64_t inferences;         /* inferences completed */
  uint64_t forced;             /* completed at a boundary instead of sliced */
  uint64_t max_call_budget;    /* most work (FLOPs) granted in one push; a
                                  forced completion counts as a whole
                                  work_per_inference */
  uint64_t max_call_samples;   /* most samples in one push */
  uint64_t max_call_units;     /* most units of window summary and speaker
                                  adaptation done in one push (each about
                                  work_per_inference's unit cost) */
  double flops_per_sample;     /* the current slicing rate */
  uint64_t work_per_inference; /* the active model's work per update: window
                                  summary + adaptation + network, summed over
                                  an ensemble's networks, in FLOPs (0 without) */
} evx_engine_stats;

/* A model prepared for the engine: the model, its net arena and input
 * buffer, and the map from its labels to the canonical emotions. Made and
 * freed in a non-RT thread; handed to the engine by evx_engine_swap. */
typedef struct evx_engine_model evx_engine_model;

/* Takes ownership of m and its chain (m->next: an ensemble; freed with the
 * result, or at once on failure). Fails (NULL, message in err) when m's
 * feature configuration is not the one the extractor computes (16 kHz,
 * 400/160, features v1), a label is not one of the eight emotions, or the
 * networks of an ensemble disagree (evx_ensemble_check). */
evx_engine_model *evx_engine_model_new(evx_model *m, char *err, size_t errlen);
/* evx_bundle_load + evx_engine_model_new. */
evx_engine_model *evx_engine_model_load(const char *path, char *err, size_t errlen);
void evx_engine_model_free(evx_engine_model *em);
const evx_model *evx_engine_model_get(const evx_engine_model *em);
/* For a speaker-adapting em: whether an engine that starts with it
 * (evx_engine_init, evx_engine_swap) begins from the population statistics
 * (fresh = 1, the default) or carries on with the voice em has heard so far
 * (0: several files of one speaker, as `emovox analyze --one-voice`).
 * evx_engine_reset always forgets. Non-RT (between engines). */
void evx_engine_model_set_fresh_voice(evx_engine_model *em, int fresh);

/* Bytes em holds: net arena, input buffer and parameters. */
size_t evx_engine_model_bytes(const evx_engine_model *em);

typedef struct evx_engine evx_engine;

/* Bytes for an engine fed at host_rate (8..192 kHz) in pushes of any size
 * (internally cut to max_block, 1..8192) whose ring holds window_frames
 * (at least EVX_ENGINE_MIN_RING); 0 on bad arguments. */
size_t evx_engine_size(double host_rate, uint32_t max_block, uint32_t window_frames);

/* Initialise into mem (any alignment). em may be NULL (no model: the
 * probabilities stay uniform, voice still works); otherwise the engine uses
 * it (it stays the caller's: free it after evx_engine_destroy, or when it
 * comes back from evx_engine_swap). NULL on bad arguments. Non-RT. */
evx_engine *evx_engine_init(void *mem, size_t size, double host_rate, uint32_t max_block,
                            uint32_t window_frames, evx_engine_model *em);
/* Release FFTW plans. Returns the active model (for the caller to free). */
evx_engine_model *evx_engine_destroy(evx_engine *e);

/* 1 when em fits this engine (its window fits the ring). Any thread. */
int evx_engine_accepts(const evx_engine *e, const evx_engine_model *em);

/* Make em the active model (call it in the thread that pushes, between
 * pushes). An inference in progress restarts on em with the current window,
 * the smoothed state carries on: no gap in the output. An adapting em starts
 * from its population statistics. Returns the previous
 * model for a non-RT thread to free; returns em itself (and changes nothing)
 * when em does not fit (evx_engine_accepts). RT-safe. */
evx_engine_model *evx_engine_swap(evx_engine *e, evx_engine_model *em);
const evx_engine_model *evx_engine_active(const evx_engine *e);

/* Clamp and store the parameters (NaN -> default). RT-safe. */
void evx_engine_set_params(evx_engine *e, const evx_engine_params *p);

/* Called from evx_engine_push (same thread) each time a result is published;
 * must obey the caller's own real-time rules. NULL to remove. Non-RT. */
typedef void (*evx_engine_listener)(void *user, const evx_engine_out *out);
void evx_engine_set_listener(evx_engine *e, evx_engine_listener fn, void *user);

/* Feed n host-rate samples (any n; NaN/Inf count as 0). Returns how many
 * results were published during the call. RT-safe, bounded. */
uint32_t evx_engine_push(evx_engine *e, const float *in, uint32_t n);

/* Complete an inference in progress and publish it (end of a file). Bounded
 * by one inference; RT-safe but meant for offline use. Returns 1 if one was
 * published. */
int evx_engine_finish(evx_engine *e);

/* Forget the audio history, the published state and the speaker
 * statistics of an adapting model (every voice slot's). RT-safe. */
void evx_engine_reset(evx_engine *e);

/* A new speaker in the current voice slot: its statistics go back to the
 * population's, and windows that began before this call are not learned
 * from (they still hold the previous voice); a window whose summary is
 * still being computed is normalised by the population's. Nothing else
 * changes: audio history, smoothing and the published state carry on, so
 * the outputs do not jump. For a voice that will not come back (the next
 * guest); voices that take turns are better served by evx_engine_set_voice,
 * which keeps each one's statistics (models/MODEL_CARD.md measures both).
 * No effect without adaptation. RT-safe, O(input size). */
void evx_engine_new_voice(evx_engine *e);

/* Voice slots: an adapting model keeps speaker statistics for up to
 * EVX_ENGINE_VOICES voices. evx_engine_set_voice switches to slot (0-based;
 * out of range: ignored), whose statistics carry on where that voice left
 * them (a slot never used starts at the population's). For a dialogue:
 * slot 0 while one speaker talks, slot 1 while the other does. Windows that
 * began before the switch are not learned into the new slot. The slot
 * survives evx_engine_reset (which forgets every slot's statistics). RT-safe. */
#define EVX_ENGINE_VOICES 8u
void evx_engine_set_voice(evx_engine *e, uint32_t slot);
uint32_t evx_engine_voice(const evx_engine *e);

/* Speaker adaptation while the engine runs (the plugins' `adapt` control):
 * LEARN, the default: speech windows join the voice slot's statistics and
 * every window is normalised by them; FREEZE: the statistics stay as they
 * are (nothing is learned), so the same audio reads the same every time;
 * OFF: every window is normalised by the population statistics (the model
 * cold, as `emovox eval --adapt cold`), the slots' statistics kept for a
 * later LEARN or FREEZE. Acts from the next window (a window keeps the mode
 * it began with). No effect on models without adaptation. RT-safe. */
typedef enum {
  EVX_ENGINE_ADAPT_LEARN = 0,
  EVX_ENGINE_ADAPT_FREEZE = 1,
  EVX_ENGINE_ADAPT_OFF = 2
} evx_engine_adapt;
void evx_engine_set_adapt(evx_engine *e, evx_engine_adapt mode);
evx_engine_adapt evx_engine_get_adapt(const evx_engine *e);

/* What the speech detector saw at the last boundary. RT-safe. */
void evx_engine_speech(const evx_engine *e, evx_speech_measures *m);

const evx_engine_out *evx_engine_output(const evx_engine *e);
void evx_engine_get_stats(const evx_engine *e, evx_engine_stats *s);
void evx_engine_reset_stats(evx_engine *e);

/* Time span of one update interval of the active model in seconds. */
double evx_engine_update_seconds(const evx_engine *e);

/* The fixed circumplex coordinates (valence, arousal) of emotion i. */
void evx_engine_circumplex(int i, float *valence, float *arousal);

#endif
