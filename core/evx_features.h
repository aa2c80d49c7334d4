/* evx_features.h: the streaming feature extractor (features v1).
 *
 * Host audio at any rate 8..192 kHz goes in; frames of 98 features computed
 * exactly as librosa 0.9.2 computes them at 16 kHz come out
 * (../shared/golden/README.md):
 *   [0] zcr, [1..12] chroma, [13..32] mfcc, [33] rms, [34..97] mel (power).
 *
 * Memory is the caller's (RNNoise style): ask evx_fx_size(), hand a block of
 * that size to evx_fx_init(). Init (and destroy) are NOT real-time safe: they
 * build tables and make FFTW plans (planner calls are serialised inside).
 * evx_fx_push() and evx_fx_reset() are real-time safe: no allocation, lock,
 * I/O or syscall, and work bounded by the number of samples pushed.
 */
#ifndef EVX_FEATURES_H
#define EVX_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#define EVX_SR        16000u  /* analysis rate (Hz) */
#define EVX_FRAME     400u    /* samples per frame at EVX_SR (25 ms) */
#define EVX_HOP       160u    /* hop at EVX_SR (10 ms) */
#define EVX_NFEAT     98u     /* features per frame */
#define EVX_N_CHROMA  12u
#define EVX_N_MFCC    20u
#define EVX_N_MEL     64u
#define EVX_MAX_BLOCK 8192u   /* the largest block a host may push at once */

/* Column offsets inside one frame of EVX_NFEAT floats. */
enum {
  EVX_F_ZCR    = 0,
  EVX_F_CHROMA = 1,
  EVX_F_MFCC   = 13,
  EVX_F_RMS    = 33,
  EVX_F_MEL    = 34
};

typedef struct evx_fx evx_fx;

/* Bytes needed for an extractor fed at host_rate in blocks of at most
 * max_block samples; 0 if the arguments are out of range. */
size_t evx_fx_size(double host_rate, uint32_t max_block);

/* Initialise into mem (size bytes, from evx_fx_size, any alignment).
 * Returns NULL on bad arguments or if FFTW planning fails. Not RT-safe. */
evx_fx *evx_fx_init(void *mem, size_t size, double host_rate, uint32_t max_block);

/* Release what FFTW holds (plans). The memory block stays the caller's. */
void evx_fx_destroy(evx_fx *fx);

/* Forget all history (as if just initialised). RT-safe. */
void evx_fx_reset(evx_fx *fx);

/* Most frames one evx_fx_push() of max_block samples can complete. */
uint32_t evx_fx_max_frames(const evx_fx *fx);

/* Push n samples (0 <= n <= max_block) of host-rate mono audio. Every frame
 * completed by them is written to out (frame-major, EVX_NFEAT floats each,
 * room for evx_fx_max_frames() frames). Returns the number of frames written.
 * NaN/Inf input is treated as 0 and the output is always finite. RT-safe. */
uint32_t evx_fx_push(evx_fx *fx, const float *in, uint32_t n, float *out);

/* evx_fx_push that also hands every completed frame's 16 kHz samples to the
 * prosody tracker pr (evx_prosody.h): the EVX_NPROS columns of frame k go to
 * pout + k * EVX_NPROS, beside its features in out. Use it for every push
 * of a stream, or the tracker misses frames. RT-safe. */
struct evx_pr;
uint32_t evx_fx_push_prosody(evx_fx *fx, struct evx_pr *pr, const float *in, uint32_t n,
                             float *out, float *pout);

/* evx_fx_push, and each frame's EVX_FRAME samples at 16 kHz (sanitised, as
 * the features saw them) to raw when not NULL (room for evx_fx_max_frames()
 * frames): for analyses of the waveform itself (evx_speech.h). RT-safe. */
uint32_t evx_fx_push_frames(evx_fx *fx, const float *in, uint32_t n, float *out, float *raw);

/* Both at once (either may be NULL): what the engine calls. RT-safe. */
uint32_t evx_fx_push_ext(evx_fx *fx, struct evx_pr *pr, const float *in, uint32_t n,
                         float *out, float *pout, float *raw);

/* Offline convenience (NOT RT-safe, allocates): the frames of a whole signal.
 * On success *frames is malloc'd (n_frames x EVX_NFEAT) and 0 is returned;
 * a signal shorter than one frame gives n_frames = 0 and *frames = NULL. */
int evx_features_of_signal(const float *x, size_t n, double rate,
                           float **frames, size_t *n_frames);

/* The same, with the prosody columns of every frame (n_frames x EVX_NPROS,
 * malloc'd) in *prosody. */
int evx_features_prosody_of_signal(const float *x, size_t n, double rate, float **frames,
                                   float **prosody, size_t *n_frames);

#endif
