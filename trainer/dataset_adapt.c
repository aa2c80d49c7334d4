/* dataset_adapt.c: a dataset's streams and clip runs (dataset_adapt.h). */
#include "dataset_adapt.h"
#include <stdlib.h>
#include <string.h>

int tr_dataset_streams(const tr_dataset *ds, const tr_cliplist *cl, tl_streams *s)
{
  uint32_t *stream = malloc((ds->n + 1) * sizeof *stream);
  uint32_t *run = malloc((ds->n + 1) * sizeof *run);
  long ns = stream && run ? tr_dataset_groups(ds, cl, 1, stream) : -1;
  memset(s, 0, sizeof *s);
  if (ns < 0) {
    free(stream), free(run);
    return -1;
  }
  /* a clip variant's windows are consecutive rows */
  for (size_t r = 0; r < ds->n; r++)
    run[r] = r == 0 ? 0 : run[r - 1] + (ds->clip[r] != ds->clip[r - 1] ||
                                        ds->variant[r] != ds->variant[r - 1]);
  *s = (tl_streams){ .n = ds->n, .dim = ds->dim, .stream = stream, .run = run,
                     .n_streams = (uint32_t)ns };
  return 0;
}

void tr_streams_free(tl_streams *s)
{
  free((void *)s->stream);
  free((void *)s->run);
  memset(s, 0, sizeof *s);
}

int tr_adapt_replay(const evx_adapt *a, enum tl_adapt_mode mode, uint64_t seed,
                    const tr_cliplist *cl, tr_dataset *ds)
{
  tl_streams s;
  if (tr_dataset_streams(ds, cl, &s))
    return -1;
  int rc = tl_adapt_replay(a, mode, seed, &s, ds->x);
  tr_streams_free(&s);
  return rc;
}
