/* bench/features.c: seconds of audio the streaming extractor handles per
 * second of CPU (one thread) at 16, 44.1 and 48 kHz input, next to
 * librosa 0.9.2 computing the same 98 features on the same audio (resampled
 * to 16 kHz by librosa.resample first when it is at another rate)
 * (bench/features_librosa.py, run in the same process tree), as ratios.
 *
 * usage: bench_features [SECONDS]   (default 30 s of audio per measurement)
 * env:   EVX_SHARED (for librosa-0.9.2), EVX_PYTHON (default /usr/bin/python3)
 */
#include "bench_audio.h"
#include "evx_features.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HOST_BLOCK 512u  /* a typical host period */

static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Audio seconds per CPU second for the extractor at `rate`; 0 if the rate
 * is not supported (no resampler). */
static double measure_ours(double rate, double seconds, size_t *frames_out)
{
  size_t size = evx_fx_size(rate, HOST_BLOCK);
  if (size == 0)
    return 0;
  void *mem = malloc(size);
  evx_fx *fx = evx_fx_init(mem, size, rate, HOST_BLOCK);
  size_t n;
  float *x = bench_speech_like(rate, seconds, &n);
  float *out = malloc(sizeof(float) * EVX_NFEAT * evx_fx_max_frames(fx));
  volatile float sink = 0;
  size_t frames = 0;
  double best = 0;
  for (int rep = 0; rep < 3; rep++) {  /* best of 3 against noisy neighbours */
    evx_fx_reset(fx);
    double t0 = cpu_seconds();
    for (size_t i = 0; i + HOST_BLOCK <= n; i += HOST_BLOCK) {
      uint32_t k = evx_fx_push(fx, x + i, HOST_BLOCK, out);
      frames += k;
      if (k)
        sink += out[EVX_F_MFCC];
    }
    double speed = seconds / (cpu_seconds() - t0);
    best = speed > best ? speed : best;
  }
  (void)sink;
  *frames_out = frames / 3;
  evx_fx_destroy(fx);
  free(out);
  free(x);
  free(mem);
  return best;
}

static double measure_librosa(double rate, double seconds)
{
  char wav[] = "/tmp/evx-bench-features-XXXXXX.wav";
  int fd = mkstemps(wav, 4);
  if (fd < 0)
    return 0;
  close(fd);
  size_t n;
  float *x = bench_speech_like(rate, seconds, &n);
  SF_INFO info = { .samplerate = (int)rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *f = sf_open(wav, SFM_WRITE, &info);
  if (f) {
    sf_writef_float(f, x, (sf_count_t)n);
    sf_close(f);
  }
  free(x);

  const char *shared = getenv("EVX_SHARED") ? getenv("EVX_SHARED") : EVX_SHARED_DEFAULT;
  const char *python = getenv("EVX_PYTHON") ? getenv("EVX_PYTHON") : "/usr/bin/python3";
  char cmd[8192];
  snprintf(cmd, sizeof cmd,
           "OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 "
           "PYTHONPATH='%s/librosa-0.9.2' '%s' '%s/bench/features_librosa.py' '%s' 2>/dev/null",
           shared, python, EVX_SOURCE_DIR, wav);
  FILE *p = f ? popen(cmd, "r") : NULL;
  double speed = 0;
  char line[256];
  while (p && fgets(line, sizeof line, p))
    sscanf(line, "librosa_audio_s_per_cpu_s %lf", &speed);
  if (p)
    pclose(p);
  unlink(wav);
  return speed;
}

/* Machine-readable summary (bench/run_all.sh): one line per input rate. */
static void print_results(const double *rates, const double *ours, const double *lib)
{
  for (int i = 0; i < 3; i++)
    if (ours[i] > 0 && lib[i] > 0)
      printf("RESULT features rate=%.0f emovox_xrt=%.1f librosa_xrt=%.1f ratio=%.2f\n", rates[i],
             ours[i], lib[i], ours[i] / lib[i]);
    else if (ours[i] > 0)
      printf("RESULT features rate=%.0f emovox_xrt=%.1f librosa_xrt=NA ratio=NA\n", rates[i],
             ours[i]);
    else if (lib[i] > 0)
      printf("RESULT features rate=%.0f emovox_xrt=NA librosa_xrt=%.1f ratio=NA\n", rates[i],
             lib[i]);
    else
      printf("RESULT features rate=%.0f emovox_xrt=NA librosa_xrt=NA ratio=NA\n", rates[i]);
}

int main(int argc, char **argv)
{
  double seconds = argc > 1 ? atof(argv[1]) : 30.0;
  if (!(seconds >= 1 && seconds <= 600)) {
    fprintf(stderr, "usage: bench_features [SECONDS (1..600)]\n");
    return 2;
  }
  static const double rates[] = { 16000, 44100, 48000 };
  double ours[3];
  for (int i = 0; i < 3; i++) {
    size_t frames;
    ours[i] = measure_ours(rates[i], seconds, &frames);
    if (ours[i] > 0)
      printf("emovox extractor, %6.0f Hz in, blocks of %u: %8.0f x real time (%zu frames, "
             "%.2f us/frame)\n", rates[i], HOST_BLOCK, ours[i], frames,
             1e6 * seconds / ours[i] / (double)frames);
    else
      printf("emovox extractor, %6.0f Hz in: not available (no resampler)\n", rates[i]);
  }
  double lib[3];
  for (int i = 0; i < 3; i++)
    lib[i] = measure_librosa(rates[i], seconds);
  if (lib[0] <= 0) {
    printf("librosa 0.9.2: could not run (needs /usr/bin/python3 with numpy, scipy, "
           "soundfile, joblib, audioread, pooch, sklearn and ../shared/librosa-0.9.2)\n");
    print_results(rates, ours, lib);
    return 0;
  }
  for (int i = 0; i < 3; i++)
    printf("librosa 0.9.2,    %6.0f Hz in (resample + features): %8.0f x real time\n",
           rates[i], lib[i]);
  for (int i = 0; i < 3; i++)
    if (ours[i] > 0 && lib[i] > 0)
      printf("ratio emovox / librosa, same %5.0f Hz audio: %.1f\n", rates[i], ours[i] / lib[i]);
  print_results(rates, ours, lib);
  return 0;
}
