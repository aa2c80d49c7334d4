/* corpus_manifest.c: a CSV manifest (header row; columns path and emotion
 * required, speaker and corpus optional, others ignored; RFC 4180 quoting). */
#include "corpus_internal.h"
#include "progress_bar.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { MAX_FIELDS = 64 };

typedef struct {
  char *buf;       /* whole file, parsed in place */
  char *pos;
  size_t line;
} csv_reader;

/* Next record's fields (pointers into r->buf, unquoted in place); returns the
 * field count, 0 at end of file. */
static int csv_record(csv_reader *r, char **fields)
{
  char *p = r->pos;
  int nf = 0;
  if (!*p)
    return 0;
  r->line++;
  for (;;) {
    char *out = p, *start = p;
    int quoted = (*p == '"');
    if (quoted)
      for (p++;;) {
        if (!*p)
          break;
        if (*p == '"' && p[1] == '"')
          *out++ = '"', p += 2;
        else if (*p == '"') {
          p++;
          break;
        } else
          *out++ = *p++;
      }
    while (*p && *p != ',' && *p != '\n' && *p != '\r')
      *out++ = *p++;
    char sep = *p;
    *out = 0;
    if (nf < MAX_FIELDS)
      fields[nf++] = start;
    if (sep == ',') {
      p++;
      continue;
    }
    if (sep == '\r' && p[1] == '\n') /* *p itself may now be the 0 written */
      p++;
    if (sep)
      p++;
    break;
  }
  r->pos = p;
  return nf;
}

static char *slurp(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t len = 0, cap = 0, got;
  do {
    if (cap - len < 65536) {
      char *b = realloc(buf, cap = cap * 2 + 65536);
      if (!b) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = b;
    }
    got = fread(buf + len, 1, cap - len - 1, f);
    len += got;
  } while (got);
  fclose(f);
  buf[len] = 0;
  return buf;
}

static int column(char **head, int nh, const char *name)
{
  for (int i = 0; i < nh; i++)
    if (!strcasecmp(head[i], name))
      return i;
  return -1;
}

static int read_rows(tr_cliplist *cl, csv_reader *r, const char *csv,
                     const char *dir, tr_log *log)
{
  char *head[MAX_FIELDS], *f[MAX_FIELDS];
  int nh = csv_record(r, head);
  int c_path = column(head, nh, "path"), c_emo = column(head, nh, "emotion");
  int c_spk = column(head, nh, "speaker"), c_corpus = column(head, nh, "corpus");
  if (c_path < 0 || c_emo < 0) {
    tr_error(log, "%s: header must name the columns path and emotion", csv);
    return -1;
  }
  /* each row's file is opened and checked: seconds for thousands of clips */
  size_t rows = 0, done = 0;
  for (const char *p = r->pos; *p; p++)
    rows += *p == '\n' || (!p[1] && *p != '\n');   /* a last line without newline */
  const char *base = strrchr(csv, '/');
  char what[96];
  snprintf(what, sizeof what, "reading %s", base ? base + 1 : csv);
  tr_progress bar;
  tr_progress_begin(&bar, what, rows, log);
  int nf;
  while ((nf = csv_record(r, f)) > 0) {
    tr_progress_update(&bar, ++done);
    if (nf == 1 && !f[0][0])
      continue; /* blank line */
    if (nf <= c_path || nf <= c_emo) {
      tr_error(log, "%s:%zu: too few columns", csv, r->line);
      return -1;
    }
    tr_clip known;
    memset(&known, 0, sizeof known);
    char path[4096];
    if (f[c_path][0] == '/')
      snprintf(path, sizeof path, "%s", f[c_path]);
    else
      snprintf(path, sizeof path, "%s/%s", dir, f[c_path]);
    if ((known.label = tr_corpus_emotion_word(f[c_emo])) < 0) {
      tr_error(log, "%s: unknown emotion label '%s' (%s:%zu)", path, f[c_emo],
                csv, r->line);
      return -1;
    }
    if (c_corpus >= 0 && c_corpus < nf)
      snprintf(known.corpus, sizeof known.corpus, "%s", f[c_corpus]);
    if (c_spk >= 0 && c_spk < nf)
      snprintf(known.speaker, sizeof known.speaker, "%s", f[c_spk]);
    if (tr_corpus_take_file(cl, path, &known, log) < 0)
      return -1;
  }
  tr_progress_end(&bar, done);
  return 0;
}

int tr_corpus_read_manifest(tr_cliplist *cl, const char *csv, tr_log *log)
{
  csv_reader r = { slurp(csv), NULL, 0 };
  if (!r.buf) {
    tr_error(log, "%s: cannot read manifest", csv);
    return -1;
  }
  r.pos = r.buf;
  char dir[4096] = ".";
  const char *slash = strrchr(csv, '/');
  if (slash)
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - csv), csv);
  int rc = read_rows(cl, &r, csv, dir, log);
  free(r.buf);
  return rc;
}
