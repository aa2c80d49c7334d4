/* provenance.c: see provenance.h. */
#include "provenance.h"
#include "evx_bundle_format.h"
#include "report.h"
#include "revision.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TR_VERSION
#define TR_VERSION "unknown"
#endif

const char *tr_revision(void)
{
  static char buf[128];
  if (!buf[0])
    snprintf(buf, sizeof buf, "%s (%s)", TR_VERSION, TR_REVISION);
  return buf;
}

/* One line "key: value", newlines in the value made spaces. */
static void line(FILE *f, const char *indent, const char *key, const char *value)
{
  fprintf(f, "%s%s: ", indent, key);
  for (const char *c = value; *c; c++)
    fputc(*c == '\n' || *c == '\r' ? ' ' : *c, f);
  fputc('\n', f);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "key: a,b,c" of the distinct speakers of one side (sorted), cut at about
 * budget bytes. */
static void side_speakers(FILE *f, const tr_cliplist *cl, const tr_split *sp, int side,
                          const char *key, size_t budget)
{
  const char **names = malloc(sizeof *names * (cl->n ? cl->n : 1));
  size_t n = 0;
  for (size_t i = 0; names && i < cl->n; i++)
    if (sp->side[i] == side)
      names[n++] = cl->clips[i].speaker;
  if (names)
    qsort(names, n, sizeof *names, cmp_str);
  fprintf(f, "%s: ", key);
  size_t used = 0;
  for (size_t i = 0, k = 0; i < n; i++) {
    if (i && !strcmp(names[i], names[i - 1]))
      continue;
    if (used > budget) {
      fputs(",...", f);
      break;
    }
    used += (size_t)fprintf(f, "%s%s", k++ ? "," : "", names[i]);
  }
  fputc('\n', f);
  free(names);
}

/* Clips and distinct speakers of each corpus, in order of first clip. */
static void corpora(FILE *f, const tr_cliplist *cl)
{
  const char **spk = malloc(sizeof *spk * (cl->n ? cl->n : 1));
  for (size_t i = 0; spk && i < cl->n; i++) {
    const char *c = cl->clips[i].corpus;
    size_t first = 0;
    while (strcmp(cl->clips[first].corpus, c))
      first++;
    if (first != i)
      continue;   /* counted with its first clip */
    size_t clips = 0, ns = 0;
    for (size_t j = i; j < cl->n; j++)
      if (!strcmp(cl->clips[j].corpus, c))
        clips++, spk[ns++] = cl->clips[j].speaker;
    qsort(spk, ns, sizeof *spk, cmp_str);
    size_t speakers = 0;
    for (size_t j = 0; j < ns; j++)
      speakers += !j || strcmp(spk[j], spk[j - 1]);
    fprintf(f, "corpus: %s: %zu clip%s, %zu speaker%s\n", c, clips, clips == 1 ? "" : "s",
            speakers, speakers == 1 ? "" : "s");
  }
  free(spk);
}

/* The memstream's text (*buf and *len are final only after fclose), or
 * NULL; cut to the format's limit. */
static char *finish(FILE *f, char **buf, size_t *len)
{
  if (fclose(f) || !*buf) {
    free(*buf);
    return NULL;
  }
  if (*len > EVX_MAX_PROVENANCE)
    memcpy(*buf + EVX_MAX_PROVENANCE - 5, "...\n", 5);
  return *buf;
}

/* A record under way: the header, the command line and the revision
 * written to a memory stream over *buf; NULL when out of memory. */
static FILE *begin(int argc, char **argv, char **buf, size_t *len)
{
  char *cmd = tr_command_line(argc, argv);
  FILE *f = cmd ? open_memstream(buf, len) : NULL;
  if (!f) {
    free(cmd);
    return NULL;
  }
  fprintf(f, "emovox-provenance: 1\n");
  line(f, "", "command", cmd);
  line(f, "", "revision", tr_revision());
  free(cmd);
  return f;
}

char *tr_provenance_train(int argc, char **argv, const char *const *data, int n_data,
                           const tr_cliplist *cl, const tr_split *sp, uint64_t seed)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = begin(argc, argv, &buf, &len);
  if (!f)
    return NULL;
  fprintf(f, "seed: %llu\n", (unsigned long long)seed);
  for (int i = 0; i < n_data; i++)
    line(f, "", "data", data[i]);
  corpora(f, cl);
  fprintf(f, "split: %s\n", sp->random ? "random (speakers overlap)" : "speaker-independent");
  static const char *const keys[TR_N_SIDES] = { "train-speakers", "val-speakers",
                                                 "test-speakers" };
  for (int s = 0; s < TR_N_SIDES; s++) {
    fprintf(f, "%s: %zu clip%s, %zu speaker%s\n", tr_side_name(s), sp->clips[s],
            sp->clips[s] == 1 ? "" : "s", sp->speakers[s], sp->speakers[s] == 1 ? "" : "s");
    side_speakers(f, cl, sp, s, keys[s], 16000);
  }
  return finish(f, &buf, &len);
}

char *tr_provenance_fuse(int argc, char **argv, const char *const *inputs,
                          const char *const *records, int n)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = begin(argc, argv, &buf, &len);
  if (!f)
    return NULL;
  for (int k = 0; k < n; k++) {
    fprintf(f, "input %d: %s\n", k + 1, inputs[k]);
    if (!records[k]) {
      fprintf(f, "  provenance: none (bundle written before format v4)\n");
      continue;
    }
    for (const char *p = records[k]; *p;) {
      size_t l = strcspn(p, "\n");
      fprintf(f, "  %.*s\n", (int)l, p);
      p += l + (p[l] == '\n');
    }
  }
  return finish(f, &buf, &len);
}

int tr_provenance_trained_on(const char *text, const char *speaker)
{
  static const char *const keys[] = { "train-speakers: ", "val-speakers: " };
  size_t sl = strlen(speaker);
  for (const char *p = text; p && *p;) {
    const char *s = p + strspn(p, " ");
    size_t l = strcspn(p, "\n");
    for (int k = 0; k < 2; k++) {
      size_t kl = strlen(keys[k]);
      if (strncmp(s, keys[k], kl))
        continue;
      /* each comma-separated name up to the end of the line */
      for (const char *q = s + kl; q < p + l;) {
        size_t nl = strcspn(q, ",\n");
        if (nl == sl && !strncmp(q, speaker, sl))
          return 1;
        q += nl + 1;
      }
    }
    p += l + (p[l] == '\n');
  }
  return 0;
}
