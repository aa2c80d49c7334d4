/* bench_audio.h: the speech-like test audio the benchmarks share. */
#ifndef EVX_BENCH_AUDIO_H
#define EVX_BENCH_AUDIO_H

#include <stddef.h>

/* `seconds` of a gliding harmonic voice (f0 80-200 Hz, 8 harmonics) with
 * pauses (0.3 s in every 1.3 s) and a little noise, at `rate` Hz; the same
 * samples every call. malloc'd, *n samples. */
float *bench_speech_like(double rate, double seconds, size_t *n);

#endif
