/* bench/prosody.c: seconds of audio the prosody tracker handles per second
 * of CPU (one thread), next to the feature extractor it rides on and to
 * Praat's "To Pitch (ac)" on the same 16 kHz audio, measured in the same run,
 * as ratios. The tracker's cost is extractor + tracker minus extractor alone.
 * Praat's is its child CPU time on the audio minus that on 0.5 s of it
 * (start-up and reading), when praat is installed.
 *
 * usage: bench_prosody [SECONDS]   (default 30 s of audio per measurement)
 */
#include "bench_audio.h"
#include "evx_features.h"
#include "evx_prosody.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define HOST_BLOCK 512u  /* a typical host period */
#define RATE 16000.0

static double cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double children_cpu(void)
{
  struct rusage u;
  getrusage(RUSAGE_CHILDREN, &u);
  return (double)u.ru_utime.tv_sec + 1e-6 * (double)u.ru_utime.tv_usec +
         (double)u.ru_stime.tv_sec + 1e-6 * (double)u.ru_stime.tv_usec;
}

/* CPU seconds to push x through the extractor, with the tracker when
 * with_pros; best of 3. */
static double run_ours(const float *x, size_t n, int with_pros)
{
  size_t fsize = evx_fx_size(RATE, HOST_BLOCK), psize = evx_pr_size();
  void *fmem = malloc(fsize), *pmem = malloc(psize);
  evx_fx *fx = evx_fx_init(fmem, fsize, RATE, HOST_BLOCK);
  evx_pr *pr = evx_pr_init(pmem, psize);
  if (!fx || !pr) {
    fprintf(stderr, "bench_prosody: init failed\n");
    exit(1);
  }
  float *out = malloc(sizeof(float) * EVX_NFEAT * evx_fx_max_frames(fx));
  float *pout = malloc(sizeof(float) * EVX_NPROS * evx_fx_max_frames(fx));
  double best = INFINITY;
  volatile float sink = 0;
  for (int rep = 0; rep < 3; rep++) {
    evx_fx_reset(fx);
    evx_pr_reset(pr);
    double t0 = cpu_seconds();
    for (size_t i = 0; i < n; i += HOST_BLOCK) {
      uint32_t len = (uint32_t)(n - i < HOST_BLOCK ? n - i : HOST_BLOCK);
      uint32_t m = with_pros ? evx_fx_push_prosody(fx, pr, x + i, len, out, pout)
                             : evx_fx_push(fx, x + i, len, out);
      if (m)
        sink += out[0] + (with_pros ? pout[0] : 0.0f);
    }
    double dt = cpu_seconds() - t0;
    best = dt < best ? dt : best;
  }
  (void)sink;
  evx_pr_destroy(pr);
  evx_fx_destroy(fx);
  free(out), free(pout), free(fmem), free(pmem);
  return best;
}

static int write_wav(const char *path, const float *x, size_t n)
{
  SF_INFO info = { .samplerate = (int)RATE, .channels = 1,
                   .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *f = sf_open(path, SFM_WRITE, &info);
  if (!f)
    return -1;
  sf_count_t w = sf_writef_float(f, x, (sf_count_t)n);
  sf_close(f);
  return w == (sf_count_t)n ? 0 : -1;
}

/* Child CPU seconds of one praat run of the pitch script on wav; < 0 when
 * praat failed. */
static double praat_cpu(const char *script, const char *wav)
{
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "praat --run '%s' '%s' >/dev/null 2>&1", script, wav);
  double t0 = children_cpu();
  if (system(cmd) != 0)
    return -1;
  return children_cpu() - t0;
}

/* Praat's CPU seconds for the pitch of x, start-up excluded; < 0 if absent. */
static double run_praat(const float *x, size_t n)
{
  if (system("praat --version >/dev/null 2>&1") != 0)
    return -1;
  char dir[] = "/tmp/bench_prosody.XXXXXX", script[256], wav[256], shortwav[256];
  if (!mkdtemp(dir))
    return -1;
  snprintf(script, sizeof script, "%s/pitch.praat", dir);
  snprintf(wav, sizeof wav, "%s/long.wav", dir);
  snprintf(shortwav, sizeof shortwav, "%s/short.wav", dir);
  FILE *f = fopen(script, "w");
  if (!f)
    return -1;
  fputs("form Pitch\n  sentence In_file\nendform\nRead from file: in_file$\n"
        "To Pitch (ac): 0.01, 75, 15, \"no\", 0.03, 0.45, 0.01, 0.35, 0.14, 600\n", f);
  fclose(f);
  double best = INFINITY;
  if (write_wav(wav, x, n) == 0 && write_wav(shortwav, x, (size_t)(0.5 * RATE)) == 0) {
    for (int rep = 0; rep < 3; rep++) {
      double full = praat_cpu(script, wav), base = praat_cpu(script, shortwav);
      if (full < 0 || base < 0) {
        best = -1;
        break;
      }
      best = full - base < best ? full - base : best;
    }
  } else {
    best = -1;
  }
  unlink(script), unlink(wav), unlink(shortwav), rmdir(dir);
  return best;
}

int main(int argc, char **argv)
{
  double seconds = argc > 1 ? atof(argv[1]) : 30.0;
  if (!(seconds >= 1 && seconds <= 3600)) {
    fprintf(stderr, "usage: bench_prosody [SECONDS 1..3600]\n");
    return 2;
  }
  size_t n;
  float *x = bench_speech_like(RATE, seconds, &n);
  double fx = run_ours(x, n, 0), both = run_ours(x, n, 1);
  double tracker = both - fx > 1e-9 ? both - fx : 1e-9;
  double praat = run_praat(x, n);
  printf("%.0f s of audio at 16 kHz, blocks of %u\n", seconds, HOST_BLOCK);
  printf("extractor alone      %8.1f x real time\n", seconds / fx);
  printf("extractor + tracker  %8.1f x real time\n", seconds / both);
  printf("tracker alone        %8.1f x real time (%.2f x the extractor's cost)\n",
         seconds / tracker, tracker / fx);
  if (praat > 0) {
    printf("praat To Pitch (ac)  %8.1f x real time (tracker %.2f x faster)\n", seconds / praat,
           praat / tracker);
    printf("RESULT prosody tracker_xrt=%.1f extractor_xrt=%.1f tracker_per_extractor=%.3f "
           "praat_xrt=%.1f ratio=%.2f\n", seconds / tracker, seconds / fx, tracker / fx,
           seconds / praat, praat / tracker);
  } else {
    printf("praat not installed or failed: no Praat figure\n");
    printf("RESULT prosody tracker_xrt=%.1f extractor_xrt=%.1f tracker_per_extractor=%.3f "
           "praat_xrt=NA ratio=NA\n", seconds / tracker, seconds / fx, tracker / fx);
  }
  free(x);
  return 0;
}
