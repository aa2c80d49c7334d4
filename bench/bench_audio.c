/* bench_audio.c: the speech-like test audio the benchmarks share. */
#include "bench_audio.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

float *bench_speech_like(double rate, double seconds, size_t *n)
{
  *n = (size_t)(rate * seconds);
  float *x = malloc(sizeof(float) * (*n ? *n : 1));
  uint64_t s = 88172645463325252ull;
  double phase = 0;
  for (size_t i = 0; x && i < *n; i++) {
    double t = (double)i / rate;
    double f0 = 140 + 60 * sin(2 * M_PI * 0.7 * t);
    phase += 2 * M_PI * f0 / rate;
    s ^= s << 13, s ^= s >> 7, s ^= s << 17;
    double noise = ((double)(s >> 11) / 9007199254740992.0 - 0.5) * 0.02;
    double voiced = fmod(t, 1.3) < 1.0 ? 1.0 : 0.0;
    double v = 0;
    for (int h = 1; h <= 8; h++)
      v += sin(h * phase) / h;
    x[i] = (float)(0.2 * voiced * v + noise);
  }
  return x;
}
