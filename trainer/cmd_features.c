/* cmd_features.c: 'emovox features IN [--out OUT.csv] [--prosody]', the
 * per-frame features of one audio file as CSV in the golden layout
 * (frame, zcr, chroma_0..11, mfcc_0..19, rms, mel_0..63; "%.9g"), and with
 * --prosody the EVX_NPROS prosody columns after them (evx_prosody.h). */
#include "audio.h"
#include "cmd.h"
#include "evx_features.h"
#include "evx_prosody.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
  fprintf(f,
          "usage: emovox features IN [--out OUT.csv] [--prosody]\n"
          "  Decodes IN (WAV, FLAC, OGG, AIFF, ... any rate, channels averaged),\n"
          "  resamples to 16 kHz and writes one CSV row per 25 ms frame (hop 10 ms):\n"
          "  frame,zcr,chroma_0..11,mfcc_0..19,rms,mel_0..63 (librosa 0.9.2 features).\n"
          "  --prosody adds f0,voiced,periodicity,hnr,st,st_voice,jitter,shimmer,\n"
          "  loudness,slope_0_500,slope_500_1500,alpha,hammarberg (core/evx_prosody.h\n"
          "  documents each; f0 and the voice-quality columns are 0 when unvoiced).\n"
          "  Writes to stdout unless --out is given.\n");
}

static void write_header(FILE *f, int prosody)
{
  fputs("frame,zcr", f);
  for (unsigned i = 0; i < EVX_N_CHROMA; i++)
    fprintf(f, ",chroma_%u", i);
  for (unsigned i = 0; i < EVX_N_MFCC; i++)
    fprintf(f, ",mfcc_%u", i);
  fputs(",rms", f);
  for (unsigned i = 0; i < EVX_N_MEL; i++)
    fprintf(f, ",mel_%u", i);
  for (unsigned i = 0; prosody && i < EVX_NPROS; i++)
    fprintf(f, ",%s", evx_pr_names[i]);
  fputc('\n', f);
}

/* prosody: NULL, or n rows of EVX_NPROS columns. */
static void write_rows(FILE *f, const float *frames, const float *prosody, size_t n)
{
  for (size_t t = 0; t < n; t++) {
    fprintf(f, "%zu", t);
    for (unsigned j = 0; j < EVX_NFEAT; j++)
      fprintf(f, ",%.9g", (double)frames[t * EVX_NFEAT + j]);
    for (unsigned j = 0; prosody && j < EVX_NPROS; j++)
      fprintf(f, ",%.9g", (double)prosody[t * EVX_NPROS + j]);
    fputc('\n', f);
  }
}

/* 0 ok, 1 failure (message on stderr names the file). */
static int write_csv(const char *out_path, const float *frames, const float *prosody,
                     size_t n)
{
  FILE *f = out_path ? fopen(out_path, "w") : stdout;
  if (!f) {
    perror(out_path);
    return 1;
  }
  write_header(f, prosody != NULL);
  write_rows(f, frames, prosody, n);
  int bad = ferror(f) != 0;
  bad |= (out_path ? fclose(f) : fflush(f)) != 0;
  if (bad)
    fprintf(stderr, "emovox: features: cannot write %s: %s\n",
            out_path ? out_path : "standard output", strerror(errno));
  return bad;
}

int tr_cmd_features(int argc, char **argv)
{
  const char *in = NULL, *out = NULL;
  int want_prosody = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "--out") || !strcmp(argv[i], "-o")) {
      if (++i >= argc) {
        fprintf(stderr, "emovox: features: --out needs a file name\n");
        return 2;
      }
      out = argv[i];
    } else if (!strcmp(argv[i], "--prosody")) {
      want_prosody = 1;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      fprintf(stderr, "emovox: features: unknown option '%s' (see emovox help features)\n",
              argv[i]);
      return 2;
    } else if (!in) {
      in = argv[i];
    } else {
      fprintf(stderr, "emovox: features: one input file only ('%s')\n", argv[i]);
      return 2;
    }
  }
  if (!in) {
    fprintf(stderr, "emovox: features: no input file (emovox features IN [--out OUT.csv])\n");
    return 2;
  }

  tr_audio a;
  char err[1024];
  if (tr_audio_read(in, &a, err, sizeof err) != 0) {
    fprintf(stderr, "emovox: features: %s\n", err);
    return 1;
  }
  float *frames = NULL, *prosody = NULL;
  size_t n = 0;
  int rc = want_prosody ? evx_features_prosody_of_signal(a.x, a.n, a.rate, &frames, &prosody, &n)
                        : evx_features_of_signal(a.x, a.n, a.rate, &frames, &n);
  tr_audio_free(&a);
  if (rc != 0) {
    fprintf(stderr, "emovox: features: %s: cannot extract features (sample rate out of "
            "%.0f..%.0f Hz?)\n", in, 8000.0, 192000.0);
    return 1;
  }
  rc = write_csv(out, frames, prosody, n);
  free(frames);
  free(prosody);
  return rc;
}
