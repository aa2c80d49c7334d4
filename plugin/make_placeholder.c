/* make_placeholder.c: writes an UNTRAINED placeholder default.emvx (the
 * log-mel CNN of the model zoo with seeded random weights) for builds that
 * have no trained models/default.emvx yet. Its outputs carry no meaning: it
 * only lets the bundle load, run and be tested end to end. Build time only.
 *   make_placeholder OUT.emvx */
#include "evx_labels.h"
#include "evx_bundle.h"
#include "evx_nn_zoo.h"

#include <stdio.h>

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: make_placeholder OUT.emvx\n");
    return 2;
  }
  evx_model *m = evx_model_make_logmel_cnn(NULL, EVX_N_EMOTIONS, 20240601u);
  if (!m) {
    fprintf(stderr, "make_placeholder: the model zoo could not build the log-mel CNN\n");
    return 1;
  }
  char err[256];
  int rc = evx_bundle_write(m, argv[1], err, sizeof err);
  evx_model_free(m);
  if (rc) {
    fprintf(stderr, "make_placeholder: %s\n", err);
    return 1;
  }
  return 0;
}
