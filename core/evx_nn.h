/* evx_nn.h: models (what a .emvx bundle describes) and the inference engine.
 *
 * Tensors are channels-first float32, as in PyTorch:
 *   1-D activations (C, L) are stored as shape {c=C, h=1, w=L};
 *   2-D activations (C, H, W) as {C, H, W}; vectors (N) as {N, 1, 1}.
 *   Conv weights [out][in][kh][kw] (1-D: kh = 1), Dense weights [out][in],
 *   Flatten is C-major (PyTorch order).
 *
 * Threads: loading, writing and evx_net_init() run in a non-RT thread
 * (they allocate / do I/O). evx_net_forward/begin/step/output are RT-safe:
 * no allocation, lock, I/O or syscall, deterministic, and bounded work.
 */
#ifndef EVX_NN_H
#define EVX_NN_H

#include "evx_adapt.h"

#include <stddef.h>
#include <stdint.h>

#define EVX_MAX_LAYERS 32
#define EVX_MAX_LABELS 16
#define EVX_LABEL_LEN  32
#define EVX_MAX_MEMBERS 4   /* networks in one ensemble (bundle v3) */

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
 * (evx_adapt.h). RT-safe. */
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

enum evx_layer_type {
  EVX_LAYER_CONV1D = 1,
  EVX_LAYER_CONV2D,
  EVX_LAYER_MAXPOOL1D,
  EVX_LAYER_MAXPOOL2D,
  EVX_LAYER_DENSE,
  EVX_LAYER_RELU,
  EVX_LAYER_BATCHNORM,   /* per-channel; the writer folds it into a preceding conv/dense */
  EVX_LAYER_DROPOUT,     /* identity at inference */
  EVX_LAYER_FLATTEN,
  EVX_LAYER_GAP,         /* global average pooling over h, w -> {C,1,1} */
  EVX_LAYER_SOFTMAX
};

typedef struct { uint32_t c, h, w; } evx_shape;

typedef struct {
  uint32_t type;          /* enum evx_layer_type */
  uint32_t out_ch;        /* conv: filters; dense: units */
  uint32_t kh, kw;        /* conv kernel or pool window (1-D: kh = 1) */
  uint32_t sh, sw;        /* strides (1-D: sh = 1) */
  uint32_t ph, pw;        /* zero padding on each side (pool: -inf padding) */
  float    rate;          /* dropout rate (kept for the record) */
  float    eps;           /* batchnorm epsilon */
  /* Parameters (NULL when the layer has none). Conv/dense: weight, bias.
   * Batchnorm: weight = gamma, bias = beta, mean, var. */
  const float *weight, *bias, *mean, *var;
  evx_shape in, out;      /* filled by evx_model_finalize() */
} evx_layer;

/* Input normalisation, applied before layer 0: x' = (x - mean[i]) * scale[i]
 * where i indexes the axis `axis` (0 = c, 1 = h, 2 = w) of the input. */
typedef struct {
  uint32_t axis;
  uint32_t len;           /* = input dim along axis; 0 = no normalisation */
  const float *mean, *scale;
  uint32_t window_mean;   /* 1: first subtract the window's own mean along the
                             other axes (per-utterance normalisation) */
} evx_norm;

typedef struct evx_model {
  evx_feature_config cfg;
  uint32_t n_labels;
  char labels[EVX_MAX_LABELS][EVX_LABEL_LEN];
  evx_shape input;
  evx_norm norm;
  evx_adapt adapt;         /* speaker adaptation (len 0: none; applied by
                              the caller before evx_net_*: evx_adapt.h);
                              EVX_INPUT_FRAMES: frame mode, len = 98 */
  uint32_t n_layers;
  evx_layer layers[EVX_MAX_LAYERS];
  void *storage;          /* owned tensor memory (loaded models); may be NULL */
  char *provenance;       /* how the bundle was trained (bundle v4): owned,
                             NUL-terminated "key: value" lines; NULL when the
                             bundle has none. Only the chain's head has one. */
  struct evx_model *next; /* ensemble (bundle v3): the next member, owned by
                             this one; NULL for a single network. Members see
                             the same windows, each through its own input
                             kind, normalisation and speaker statistics, and
                             their probabilities are averaged. */
} evx_model;

/* ---- models (non-RT) ---------------------------------------------------- */

/* Check and complete a model built in memory (the trainer does this before
 * writing): infers each layer's in/out shapes from m->input and checks that
 * they chain, that parameters are present, and that the output size equals
 * n_labels. Returns 0, or -1 with a message in err. */
int evx_model_finalize(evx_model *m, char *err, size_t errlen);

/* Networks in m's chain (1 for a single network). */
uint32_t evx_model_members(const evx_model *m);

/* Check that the chain from m can be averaged: at most EVX_MAX_MEMBERS
 * members with the same labels in the same order and the same feature
 * configuration except the input kind (so the same windows at the same
 * moments). Returns 0, or -1 with a message naming the member. */
int evx_ensemble_check(const evx_model *m, char *err, size_t errlen);

/* Frames per speaker-adaptation statistic (evx_adapt.h): the window for
 * EVX_INPUT_FRAMES (frame mode), else 1. */
uint32_t evx_adapt_frames(const evx_feature_config *cfg);

/* Shape of the network input for a feature configuration. */
evx_shape evx_input_shape(const evx_feature_config *cfg);

/* Build the network input from the last n frames of a window (oldest first,
 * 98 floats each; n <= cfg->window_frames; fewer frames are padded as
 * silence). Writes evx_input_shape() floats. RT-safe. */
void evx_build_input(const evx_feature_config *cfg, const float *frames,
                     uint32_t n, float *input);

/* The same, spread over calls (the engine slices a window's summary as it
 * slices inference): begin() picks the frames (and the voiced gate); each
 * step() computes at most max_units (at least one) of evx_input_units()
 * units (one feature's statistics or row; one mel band's row for LOGMEL,
 * so each unit is a pass over one window's worth of values) and returns 1
 * once the input is complete. Bit-identical to evx_build_input. The frames
 * must stay in place until then. RT-safe. */
typedef struct {
  const float *frames;
  const float *pros;      /* prosody rows beside frames, or NULL */
  uint32_t n, next;
  float gate;     /* voiced frames: raw rms >= gate (0: all) */
  float gain_db;  /* EVX_FSET_V1_LEVEL: the window's level correction (dB) */
} evx_input_job;
uint32_t evx_input_units(const evx_feature_config *cfg);
void evx_input_begin(evx_input_job *j, const evx_feature_config *cfg, const float *frames,
                     uint32_t n);
/* Whether cfg's input kind reads prosody rows (EVX_INPUT_PROSODY_STATS). */
int evx_input_needs_prosody(const evx_feature_config *cfg);
/* begin() with the window's prosody rows (n x EVX_NPROS, aligned with the
 * frames; NULL: none, the prosody statistics are then 0). evx_input_begin
 * is this with pros NULL. */
void evx_input_begin_pros(evx_input_job *j, const evx_feature_config *cfg, const float *frames,
                          const float *pros, uint32_t n);
/* evx_build_input with prosody rows (as evx_input_begin_pros). RT-safe. */
void evx_build_input_pros(const evx_feature_config *cfg, const float *frames,
                          const float *pros, uint32_t n, float *input);
int evx_input_step(evx_input_job *j, const evx_feature_config *cfg, float *input,
                   uint32_t max_units);

/* Trainable parameter count and FLOPs (multiply-adds x 2) of one inference
 * of m alone; the ensemble_ variants sum over m's chain. */
uint64_t evx_model_params(const evx_model *m);
uint64_t evx_model_flops(const evx_model *m);
uint64_t evx_ensemble_params(const evx_model *m);
uint64_t evx_ensemble_flops(const evx_model *m);

/* The usual configuration for an input kind: 16 kHz, 400/160, features v1;
 * SUMMARY*: W = 300 frames, U = 50; LOGMEL: W = 100, U = 25. */
evx_feature_config evx_feature_config_default(uint32_t input_kind);

/* Reference architectures with random weights (seeded, deterministic), for
 * tests and benchmarks (non-RT). The model owns its storage (free with
 * evx_model_free), is finalized and can be evx_bundle_write()n. cfg NULL =
 * evx_feature_config_default(SUMMARY resp. LOGMEL). NULL on bad arguments.
 *  seed:       Conv1D(1->32,k5,p2) ReLU MaxPool1D(3,s2) Dropout
 *              Conv1D(32->64,k3,p1) ReLU MaxPool1D(3,s2) Dropout Flatten
 *              Dense(->n_labels) Softmax; normalisation per feature (axis w).
 *  logmel_cnn: Conv2D(1->8,3x3,p1) BatchNorm ReLU MaxPool2D(3,s2)
 *              Conv2D(8->16,3x3,p1) ReLU MaxPool2D(3,s2) GAP Dense Softmax;
 *              normalisation per mel band (axis h) after the window mean. */
evx_model *evx_model_make_seed(const evx_feature_config *cfg, uint32_t n_labels,
                               uint64_t seed);
evx_model *evx_model_make_logmel_cnn(const evx_feature_config *cfg, uint32_t n_labels,
                                     uint64_t seed);

/* ---- bundles: .emvx (docs/bundle-format.md) (non-RT) --------------------- */

/* A v1/v2 bundle holds one network; a v3 bundle an ensemble of them (the
 * chain from the returned model's next). */
/* Parse a bundle held in memory. The model copies what it needs; buf may be
 * freed afterwards. Returns 0, or -1 with a specific message in err. */
int evx_bundle_parse(const void *buf, size_t len, evx_model **out,
                     char *err, size_t errlen);
int evx_bundle_load(const char *path, evx_model **out, char *err, size_t errlen);
void evx_model_free(evx_model *m);

/* Serialise (folding batchnorm into the preceding layer); a chain
 * (m->next) becomes a v3 ensemble. *buf is malloc'd. */
int evx_bundle_serialize(const evx_model *m, void **buf, size_t *len,
                         char *err, size_t errlen);
/* Write atomically: temp file in the same directory, fsync, rename. */
int evx_bundle_write(const evx_model *m, const char *path, char *err, size_t errlen);

/* ---- inference ----------------------------------------------------------- */

typedef struct evx_net evx_net;

/* Arena bytes for running m (every activation planned inside). */
size_t evx_net_size(const evx_model *m);
/* Initialise into mem; m must outlive the net. Non-RT. */
evx_net *evx_net_init(void *mem, size_t size, const evx_model *m);

/* One whole inference: input (evx_input_shape floats) -> probs (n_labels). RT. */
void evx_net_forward(evx_net *net, const float *input, float *probs);

/* The same, spread over calls: begin() copies the input; each step() does
 * about max_flops of work (at least one unit of progress; at most half a
 * unit more than max_flops otherwise) and returns 1 once the output is
 * ready. Results are bit-identical to forward(). RT. */
void evx_net_begin(evx_net *net, const float *input);
int evx_net_step(evx_net *net, uint64_t max_flops);
/* The same, adding the FLOPs it spent to *spent. */
int evx_net_step_spent(evx_net *net, uint64_t max_flops, uint64_t *spent);
/* What step() charges for one whole inference: the FLOPs of the kernels as
 * run (whole tiles), a dense layer's at the price of memory reads. At
 * least about evx_model_flops(). RT-safe. */
uint64_t evx_net_work(const evx_net *net);
const float *evx_net_output(const evx_net *net);

#endif
