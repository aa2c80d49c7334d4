/* evx_nn_input.h: from a window of feature frames to the network input:
 * input kinds, feature sets, the feature configuration a model expects, and
 * the input builder (whole, or a stepped job the engine slices over run()
 * calls). Everything here is RT-safe: no allocation, work bounded by the
 * window (one unit: one pass over the window's frames). */
#ifndef EVX_NN_INPUT_H
#define EVX_NN_INPUT_H

#include <stdint.h>

/* How a window of feature frames becomes the network input. */
enum evx_input_kind {
  EVX_INPUT_SUMMARY = 1,  /* mean over the window of the 98 features: {1,1,98} */
  EVX_INPUT_LOGMEL  = 2,  /* 10*log10(max(mel,1e-10)) of each frame: {1,64,W} */
  EVX_INPUT_SUMMARY_STATS = 3, /* mean then std over the window: {1,1,196} */
  EVX_INPUT_LOG_STATS = 4, /* as SUMMARY_STATS after putting rms (feature 33)
                             and mel (34..97) in dB: 20*log10(max(rms,1e-5)),
                             10*log10(max(mel,1e-10)): {1,1,196} */
  EVX_INPUT_VOICED_STATS = 5, /* as LOG_STATS, plus the mean absolute frame-to-
                             frame change of each feature, over the window's
                             voiced frames only (rms within EVX_VOICED_RANGE_DB
                             of the window's loudest frame and above
                             EVX_VOICED_FLOOR): {1,1,294}. Pauses and
                             leading silence no longer dilute the summary. */
  EVX_INPUT_FRAMES = 6,   /* every frame of the window in time order, rms and
                             mel in dB as LOG_STATS: {98,1,W} (feature-major:
                             98 channels of W steps, for Conv1D). A window
                             shorter than W is padded at the start with NaN,
                             which the network reads as 0 (evx_net_begin). */
  EVX_INPUT_PROSODY_STATS = 7 /* VOICED_STATS, then EVX_PROSODY_STATS
                             statistics of the window's prosody rows
                             (evx_prosody.h) over the frames the tracker
                             calls voiced: {1,1,307}. Needs the prosody rows
                             beside the frames (evx_input_needs_prosody). */
};

/* The statistics EVX_INPUT_PROSODY_STATS appends (after 3 x 98), all over
 * the window's voiced frames (0 when it has none) except the first:
 *   0 voiced frames / W, 1 mean, 2 std and 3 range (max - min) of st_voice
 *   (semitones re the voice's median), 4 its least-squares slope in
 *   semitones per second, then the means of 5 hnr, 6 jitter, 7 shimmer,
 *   8 loudness, 9 slope_0_500, 10 slope_500_1500, 11 alpha, 12 hammarberg. */
#define EVX_PROSODY_STATS 13u

#define EVX_VOICED_RANGE_DB 35.0f /* voiced: rms >= loudest rms - 35 dB ... */
#define EVX_VOICED_FLOOR 3e-4f    /* ... and >= -70 dBFS */

/* The voiced frames' rms threshold for a window whose loudest frame has rms
 * `peak` (linear): EVX_VOICED_RANGE_DB below it and at least
 * EVX_VOICED_FLOOR; 0 when even the peak is below the floor (silence). The
 * one rule for EVX_INPUT_VOICED_STATS and for frame-mode adaptation
 * (evx_adapt.h). */
float evx_voiced_gate(float peak);

/* Feature sets (evx_feature_config.feature_set): which frames a model reads
 * and how a window's recording level reaches its input. */
enum evx_feature_set {
  EVX_FSET_V1 = 1,        /* features v1 (evx_features.h) as measured */
  EVX_FSET_V1_LEVEL = 2   /* features v1, each window first brought to a voiced
                             level of EVX_LEVEL_TARGET_DB: with g the gain that
                             takes the mean dB rms of the window's voiced
                             frames there (within +-EVX_LEVEL_MAX_DB; 1 for a
                             silent window), rms becomes g rms, mel g^2 mel and
                             mfcc[0] mfcc[0] + 8 x 20 log10 g (its DCT-II
                             ortho over 64 mel bands). The same speech read at
                             any level gives the same input. Input kinds 2, 4,
                             5 and 6 only (those that read rms and mel in dB). */
};
#define EVX_LEVEL_TARGET_DB (-30.0f)
#define EVX_LEVEL_MAX_DB    40.0f

/* 1 if a model of this feature set and input kind can be built. */
int evx_feature_set_supported(uint32_t feature_set, uint32_t input_kind);

/* The feature configuration a model expects (stored in the bundle). */
typedef struct {
  uint32_t sample_rate;   /* 16000 */
  uint32_t frame_len;     /* 400 */
  uint32_t hop;           /* 160 */
  uint32_t feature_set;   /* enum evx_feature_set: 1 or 2, 98 features per
                             frame either way (evx_features.h) */
  uint32_t input_kind;    /* enum evx_input_kind */
  uint32_t window_frames; /* W: frames in one analysis window */
  uint32_t update_frames; /* U: one inference every U frames (plugin) */
} evx_feature_config;

/* Tensors are channels-first float32, as in PyTorch:
 *   1-D activations (C, L) are stored as shape {c=C, h=1, w=L};
 *   2-D activations (C, H, W) as {C, H, W}; vectors (N) as {N, 1, 1}. */
typedef struct { uint32_t c, h, w; } evx_shape;

/* Shape of the network input for a feature configuration. */
evx_shape evx_input_shape(const evx_feature_config *cfg);
/* The usual configuration for an input kind: 16 kHz, 400/160, features v1;
 * SUMMARY*: W = 300 frames, U = 50; LOGMEL: W = 100, U = 25. */
evx_feature_config evx_feature_config_default(uint32_t input_kind);
/* Whether cfg's input kind reads prosody rows (EVX_INPUT_PROSODY_STATS). */
int evx_input_needs_prosody(const evx_feature_config *cfg);

/* Build the network input from the last n frames of a window (oldest first,
 * 98 floats each; n <= cfg->window_frames; fewer frames are padded as
 * silence). Writes evx_input_shape() floats. */
void evx_build_input(const evx_feature_config *cfg, const float *frames,
                     uint32_t n, float *input);
/* evx_build_input with the window's prosody rows (n x EVX_NPROS, aligned
 * with the frames; NULL: none, the prosody statistics are then 0). */
void evx_build_input_pros(const evx_feature_config *cfg, const float *frames,
                          const float *pros, uint32_t n, float *input);

/* The same, spread over calls (the engine slices a window's summary as it
 * slices inference): a unit is one feature's statistics or row (one mel
 * band's row for LOGMEL), a pass over one window's worth of values.
 * Bit-identical to evx_build_input. The frames must stay in place until
 * the job is done. */
typedef struct {
  const float *frames;    /* n x EVX_NFEAT, oldest first */
  const float *pros;      /* n x EVX_NPROS prosody rows beside frames, or NULL */
  uint32_t n, next;       /* frames in the window; the next unit */
  float gate;     /* voiced frames: raw rms >= gate (0: all) */
  float gain_db;  /* EVX_FSET_V1_LEVEL: the window's level correction (dB) */
} evx_input_job;
/* Units of one window's input for cfg. */
uint32_t evx_input_units(const evx_feature_config *cfg);
/* Start on the last n frames (and their prosody rows, or NULL): picks them,
 * the voiced gate and the level correction. */
void evx_input_begin_pros(evx_input_job *j, const evx_feature_config *cfg, const float *frames,
                          const float *pros, uint32_t n);
/* evx_input_begin_pros without prosody rows. */
void evx_input_begin(evx_input_job *j, const evx_feature_config *cfg, const float *frames,
                     uint32_t n);
/* Compute at most max_units (at least one) units into input; 1 once the
 * input is complete. */
int evx_input_step(evx_input_job *j, const evx_feature_config *cfg, float *input,
                   uint32_t max_units);

#endif
