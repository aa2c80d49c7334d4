/* votes.c: CREMA-D's audio-only crowd votes as a training filter. */
#include "votes.h"
#include "evx_labels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char name[32]; char vote[16]; } vote_row;

static int by_name(const void *a, const void *b)
{
  return strcmp(((const vote_row *)a)->name, ((const vote_row *)b)->name);
}

/* One CSV field (quotes stripped) into out; returns the rest after the comma. */
static const char *field(const char *p, char *out, size_t cap)
{
  size_t k = 0;
  int quoted = *p == '"';
  p += quoted;
  while (*p && (quoted ? *p != '"' : *p != ',') && *p != '\n' && *p != '\r') {
    if (k + 1 < cap) out[k++] = *p;
    p++;
  }
  out[k] = 0;
  if (quoted && *p == '"') p++;
  return *p == ',' ? p + 1 : p;
}

/* summaryTable.csv: "",FileName,VoiceVote,... sorted by file name. */
static vote_row *load_table(const char *path, size_t *n, char *err, size_t errlen)
{
  FILE *f = fopen(path, "r");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open (needed by --cremad-votes)", path);
    return NULL;
  }
  size_t cap = 8192;
  vote_row *v = malloc(cap * sizeof *v);
  char line[512], skip[32];
  *n = 0;
  for (int first = 1; v && fgets(line, sizeof line, f); first = 0) {
    if (first) continue;   /* header */
    if (*n == cap) {
      vote_row *w = realloc(v, 2 * cap * sizeof *v);
      if (!w) { free(v); v = NULL; break; }
      v = w, cap *= 2;
    }
    const char *p = field(line, skip, sizeof skip);
    p = field(p, v[*n].name, sizeof v[*n].name);
    field(p, v[*n].vote, sizeof v[*n].vote);
    *n += v[*n].name[0] != 0;
  }
  fclose(f);
  if (!v) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  qsort(v, *n, sizeof *v, by_name);
  return v;
}

/* CREMA-D's letter for a label, 0 for emotions it does not have. */
static char letter(int label)
{
  switch (label) {
  case EVX_ANGRY: return 'A';
  case EVX_DISGUST: return 'D';
  case EVX_FEAR: return 'F';
  case EVX_HAPPY: return 'H';
  case EVX_NEUTRAL: return 'N';
  case EVX_SAD: return 'S';
  default: return 0;
  }
}

/* 1 if the clip's vote includes its label (or it has no row). */
static int agrees(const vote_row *t, size_t n, const tr_clip *c)
{
  const char *base = strrchr(c->path, '/');
  vote_row key;
  base = base ? base + 1 : c->path;
  snprintf(key.name, sizeof key.name, "%.*s", (int)strcspn(base, "."), base);
  const vote_row *r = bsearch(&key, t, n, sizeof *t, by_name);
  char l = letter(c->label);
  return !r || (l && strchr(r->vote, l));
}

int tr_votes_keep_agreeing(tr_cliplist *cl, tr_split *sp, size_t *dropped,
                            size_t *kept, char *err, size_t errlen)
{
  *dropped = *kept = 0;
  vote_row *table = NULL;
  size_t n_table = 0;
  char dir[4096] = "";
  size_t k = 0;
  for (size_t i = 0; i < cl->n; i++) {
    tr_clip *c = &cl->clips[i];
    int drop = 0;
    if (sp->side[i] == TR_TRAIN && !strcmp(c->corpus, "cremad")) {
      const char *slash = strrchr(c->path, '/');
      size_t len = slash ? (size_t)(slash - c->path) : 0;
      if (!table || strncmp(dir, c->path, len) || dir[len]) {   /* another folder */
        free(table);
        snprintf(dir, sizeof dir, "%.*s", (int)len, c->path);
        char path[4200];
        snprintf(path, sizeof path, "%s/summaryTable.csv", len ? dir : ".");
        if (!(table = load_table(path, &n_table, err, errlen)))
          return -1;
      }
      drop = !agrees(table, n_table, c);
      *dropped += drop, *kept += !drop;
    }
    if (drop) {
      sp->clips[TR_TRAIN]--;
      free(c->path);
      continue;
    }
    sp->side[k] = sp->side[i];
    cl->clips[k++] = *c;
  }
  free(table);
  cl->n = sp->n = k;
  return 0;
}
