/* soak_core.h: the soak run shared by the `soak` benchmark (bench/soak.c,
 * default one hour of audio) and the `soak_2min` test
 * (tests/hardening/test_soak.c, 120 s).
 *
 * Every plugin of the built bundle (meter, meter-midi, render) is
 * instantiated through the lilv test host (tests/plugin/lv2_host.h) at each
 * of 8, 22.05, 44.1, 48, 96 and 192 kHz, and each instance is fed `seconds`
 * of audio at its own rate in random blocks of 1..8192 frames. The audio is
 * clips of ../shared/data (linearly interpolated to the instance's rate)
 * cut into segments of: plain speech, speech in white noise, digital
 * silence, hard clipping, NaN/Inf/huge-value bursts, denormals and DC
 * offsets. Every block is checked: all outputs finite; probabilities in
 * 0..1 summing to 1 within 1e-4 (render: at every sample); meter audio
 * passes through bit for bit (in place or not; NaNs compared bitwise);
 * meter-midi CCs in range. RSS (/proc/self/statm) is sampled after a
 * warm-up and then regularly: its growth must stay under 1 MiB. */
#ifndef EVX_SOAK_CORE_H
#define EVX_SOAK_CORE_H

#include <stdint.h>

typedef struct {
  double seconds;       /* audio per instance */
  uint64_t seed;        /* block sizes, segments, noise */
  const char *shared;   /* ../shared (clips from data/manifest.csv); NULL:
                           a synthetic speech-like buzz instead */
  int progress;         /* print a line every 10% */
} soak_opts;

typedef struct {
  int instances;
  double audio_s;        /* audio per instance */
  double instance_s;     /* audio over all instances */
  uint64_t blocks, samples;
  uint64_t violations;
  long rss_growth_kib;   /* max RSS after warm-up minus RSS at warm-up end */
  long rss_limit_kib;
  double wall_s;
} soak_result;

/* Runs the soak and prints a summary line ("soak: ..."). Returns 0 when it
 * ran with no violation and flat memory, 1 on a violation or RSS growth,
 * -1 when it could not start (bundle missing, instantiate failed). */
int soak_run(const soak_opts *o, soak_result *r);

#endif
