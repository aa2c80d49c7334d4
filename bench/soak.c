/* bench/soak.c: long soak of the three plugins under hostile audio at six
 * sample rates (bench/soak_core.h): prints a summary line and exits
 * non-zero on any violation or when RSS grows after warm-up.
 *   soak [SECONDS] [SEED]   (audio per instance, default 3600 s) */
#include "soak_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
  soak_opts o = { .seconds = 3600, .seed = 1, .progress = 1 };
  if (argc > 1 && !(o.seconds = strtod(argv[1], NULL), o.seconds > 0)) {
    fprintf(stderr, "usage: soak [SECONDS] [SEED]\n");
    return 2;
  }
  if (argc > 2)
    o.seed = strtoull(argv[2], NULL, 10);
  const char *shared = getenv("EVX_SHARED");
#ifdef EVX_SHARED_DEFAULT
  if (!shared)
    shared = EVX_SHARED_DEFAULT;
#endif
  struct stat st;
  o.shared = shared && stat(shared, &st) == 0 && S_ISDIR(st.st_mode) ? shared : NULL;
  soak_result r;
  int rc = soak_run(&o, &r);
  if (rc >= 0)
    printf("RESULT soak audio_s=%.1f instances=%d instance_s=%.1f blocks=%llu violations=%llu "
           "rss_growth_kib=%ld rss_limit_kib=%ld wall_s=%.2f xrt=%.1f status=%s\n", r.audio_s,
           r.instances, r.instance_s, (unsigned long long)r.blocks,
           (unsigned long long)r.violations, r.rss_growth_kib, r.rss_limit_kib, r.wall_s,
           r.wall_s > 0 ? r.instance_s / r.wall_s : 0.0, rc ? "FAIL" : "ok");
  return rc < 0 ? 1 : rc;
}
