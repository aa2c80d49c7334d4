/* cmd_fuse.c: 'emovox fuse OUT.emvx A.emvx B.emvx ...' — one ensemble bundle
 * (format v3) from trained networks whose probabilities the engine, the
 * plugin and `emovox eval` then average. The networks must see the same
 * windows (same window and update interval) and have the same labels; each
 * keeps its own input kind, normalisation and speaker statistics. A member
 * that is itself an ensemble gives its networks. */
#include "cli.h"
#include "cmd.h"
#include "evx_bundle.h"
#include "evx_nn_ensemble.h"
#include "provenance.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Whether a and b name the same file (b need not exist). */
static int same_file(const char *a, const char *b)
{
  struct stat sa, sb;
  if (!strcmp(a, b))
    return 1;
  return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static const char usage_text[] =
  "usage: emovox fuse OUT.emvx IN.emvx IN.emvx [IN.emvx ...]\n"
  "  writes the networks of the INs, in that order, as one ensemble bundle\n"
  "  (at most 4 networks, same window, update interval and labels)\n";

int tr_cmd_fuse(int argc, char **argv)
{
  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    fputs(usage_text, stdout);
    return 0;
  }
  for (int i = 1; i < argc; i++)
    if (argv[i][0] == '-' && argv[i][1])
      return tr_usage_error("fuse", "unknown option '%s' (emovox fuse OUT.emvx IN.emvx "
                             "IN.emvx ...)", argv[i]);
  if (argc < 4)
    return tr_usage_error("fuse", "needs OUT.emvx and at least two IN.emvx (%d bundle%s "
                           "given)", argc - 1, argc == 2 ? "" : "s");
  for (int i = 2; i < argc; i++)
    if (same_file(argv[1], argv[i]))
      return tr_usage_error("fuse", "the output %s is also input %d: it would be "
                             "overwritten; write the ensemble elsewhere", argv[1], i - 1);
  char err[512];
  evx_model *head = NULL, **tail = &head;
  int rc = 1, n_in = argc - 2;
  char **records = calloc((size_t)n_in, sizeof *records);
  if (!records)
    return tr_fail_msg("fuse", "out of memory");
  for (int i = 2; i < argc; i++) {
    if (evx_bundle_load(argv[i], tail, err, sizeof err)) {
      fprintf(stderr, "emovox: fuse: %s\n", err);
      goto out;
    }
    records[i - 2] = (*tail)->provenance;   /* each input's record moves into ours */
    (*tail)->provenance = NULL;
    while (*tail)
      tail = &(*tail)->next;
  }
  head->provenance = tr_provenance_fuse(argc, argv, (const char *const *)argv + 2,
                                         (const char *const *)records, n_in);
  if (!head->provenance) {
    fprintf(stderr, "emovox: fuse: out of memory\n");
    goto out;
  }
  if (evx_bundle_write(head, argv[1], err, sizeof err)) { /* checks the members */
    fprintf(stderr, "emovox: fuse: %s\n", err);
    goto out;
  }
  printf("%s: ensemble of %u networks, %llu parameters, %llu flops per inference\n", argv[1],
         evx_model_members(head), (unsigned long long)evx_ensemble_params(head),
         (unsigned long long)evx_ensemble_flops(head));
  rc = 0;
out:
  for (int k = 0; k < n_in; k++)
    free(records[k]);
  free(records);
  evx_model_free(head);
  return rc;
}
