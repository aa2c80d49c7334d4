/* cmd_fuse.c: 'emovox fuse OUT.emvx A.emvx B.emvx ...' — one ensemble bundle
 * (format v3) from trained networks whose probabilities the engine, the
 * plugin and `emovox eval` then average. The networks must see the same
 * windows (same window and update interval) and have the same labels; each
 * keeps its own input kind, normalisation and speaker statistics. A member
 * that is itself an ensemble gives its networks. */
#include "cmd.h"
#include "evx_nn.h"
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
  "usage: emovox fuse OUT.emvx IN.emvx IN.emvx [IN.emvx ...]\n"
  "  writes the networks of the INs, in that order, as one ensemble bundle\n"
  "  (at most 4 networks, same window, update interval and labels)\n";

int cmd_fuse(int argc, char **argv)
{
  if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (argc < 4) {
    fputs(usage_text, stderr);
    return 2;
  }
  char err[512];
  evx_model *head = NULL, **tail = &head;
  int rc = 1;
  for (int i = 2; i < argc; i++) {
    if (evx_bundle_load(argv[i], tail, err, sizeof err)) {
      fprintf(stderr, "emovox fuse: %s\n", err);
      goto out;
    }
    while (*tail)
      tail = &(*tail)->next;
  }
  if (evx_bundle_write(head, argv[1], err, sizeof err)) { /* checks the members */
    fprintf(stderr, "emovox fuse: %s\n", err);
    goto out;
  }
  printf("%s: ensemble of %u networks, %llu parameters, %llu flops per inference\n", argv[1],
         evx_model_members(head), (unsigned long long)evx_ensemble_params(head),
         (unsigned long long)evx_ensemble_flops(head));
  rc = 0;
out:
  evx_model_free(head);
  return rc;
}
