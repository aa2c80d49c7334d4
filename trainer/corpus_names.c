/* corpus_names.c: the corpora's file naming rules (see corpus.h). */
#include "corpus_internal.h"
#include "evx_labels.h"
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct { const char *word; int e; } aliases[] = {
  { "fearful", EVX_FEAR }, { "surprise", EVX_SURPRISED }, { "ps", EVX_SURPRISED },
  { "pleasant_surprise", EVX_SURPRISED }, { "pleasant_surprised", EVX_SURPRISED },
  { "anger", EVX_ANGRY }, { "disgusted", EVX_DISGUST }, { "happiness", EVX_HAPPY },
  { "sadness", EVX_SAD },
};

int tr_corpus_emotion_word(const char *w)
{
  for (int e = 0; e < EVX_N_EMOTIONS; e++)
    if (!strcasecmp(w, evx_emotion_name(e)))
      return e;
  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (!strcasecmp(w, aliases[i].word))
      return aliases[i].e;
  return -1;
}

int tr_corpus_audio_ext(const char *path)
{
  static const char *const exts[] = {
    "wav", "wave", "flac", "aif", "aiff", "aifc", "ogg", "oga", "opus", "mp3",
    "au", "snd", "caf", "w64", "rf64", "sd2", "voc", "htk", "sds", "avr", "wve",
  };
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash))
    return 0;
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
    if (!strcasecmp(dot + 1, exts[i]))
      return 1;
  return 0;
}

/* The base name without its extension, into buf. */
static const char *stem_of(const char *path, char *buf, size_t len)
{
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  snprintf(buf, len, "%s", base);
  char *dot = strrchr(buf, '.');
  if (dot && dot != buf)
    *dot = 0;
  return buf;
}

/* s matches pat where 'd' is a digit, 'A' an upper-case letter, 'x' a letter
 * or digit, anything else itself. */
static int shape_is(const char *s, const char *pat)
{
  for (; *pat; s++, pat++) {
    unsigned char ch = (unsigned char)*s;
    if (!ch)
      return 0;
    if (*pat == 'd' ? !isdigit(ch) : *pat == 'A' ? !isupper(ch)
        : *pat == 'x' ? !isalnum(ch) : ch != (unsigned char)*pat)
      return 0;
  }
  return *s == 0;
}

static void set_clip(tr_clip *c, const char *corpus, const char *speaker, int label)
{
  snprintf(c->corpus, sizeof c->corpus, "%s", corpus);
  snprintf(c->speaker, sizeof c->speaker, "%s-%s", corpus, speaker);
  c->label = label;
}

/* RAVDESS 03-01-EE-II-SS-RR-AA: modality, vocal channel, emotion, intensity,
 * statement, repetition, actor. */
static enum name_kind ravdess(const char *s, tr_clip *c)
{
  static const int map[8] = { EVX_NEUTRAL, EVX_CALM, EVX_HAPPY, EVX_SAD,
                              EVX_ANGRY, EVX_FEAR, EVX_DISGUST, EVX_SURPRISED };
  if (!shape_is(s, "dd-dd-dd-dd-dd-dd-dd"))
    return NAME_NONE;
  int mod, chan, emo, actor;
  sscanf(s, "%d-%d-%d-%*d-%*d-%*d-%d", &mod, &chan, &emo, &actor);
  if (mod != 3)
    return NAME_VIDEO;
  if (chan != 1)
    return NAME_SONG;
  if (emo < 1 || emo > 8)
    return NAME_BAD_LABEL;
  char spk[8];
  snprintf(spk, sizeof spk, "%02d", actor % 100);
  set_clip(c, "ravdess", spk, map[emo - 1]);
  return NAME_CLIP;
}

/* CREMA-D 1001_DFA_ANG_XX: actor, sentence, emotion, level. */
static enum name_kind cremad(const char *s, tr_clip *c)
{
  static const struct { const char *code; int e; } map[] = {
    { "ANG", EVX_ANGRY }, { "DIS", EVX_DISGUST }, { "FEA", EVX_FEAR },
    { "HAP", EVX_HAPPY }, { "NEU", EVX_NEUTRAL }, { "SAD", EVX_SAD },
  };
  if (!shape_is(s, "dddd_AAA_AAA_xx"))
    return NAME_NONE;
  char spk[8];
  snprintf(spk, sizeof spk, "%.4s", s);
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strncmp(s + 9, map[i].code, 3)) {
      set_clip(c, "cremad", spk, map[i].e);
      return NAME_CLIP;
    }
  return NAME_BAD_LABEL;
}

/* SAVEE DC_a01: speaker, emotion code (a d f h n sa su), number. */
static enum name_kind savee(const char *s, tr_clip *c)
{
  static const struct { const char *code; int e; } map[] = {
    { "a", EVX_ANGRY }, { "d", EVX_DISGUST }, { "f", EVX_FEAR }, { "h", EVX_HAPPY },
    { "n", EVX_NEUTRAL }, { "sa", EVX_SAD }, { "su", EVX_SURPRISED },
  };
  if (!isupper((unsigned char)s[0]) || !isupper((unsigned char)s[1]) || s[2] != '_')
    return NAME_NONE;
  size_t letters = strspn(s + 3, "abcdefghijklmnopqrstuvwxyz");
  size_t digits = strspn(s + 3 + letters, "0123456789");
  if (!letters || letters > 3 || !digits || s[3 + letters + digits])
    return NAME_NONE;
  char spk[3] = { s[0], s[1], 0 };
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strlen(map[i].code) == letters && !strncmp(s + 3, map[i].code, letters)) {
      set_clip(c, "savee", spk, map[i].e);
      return NAME_CLIP;
    }
  return NAME_BAD_LABEL;
}

/* TESS OAF_word_emotion / YAF_... (also OA_/YA_): emotion is the last word,
 * or "pleasant_surprise(d)". */
static enum name_kind tess(const char *s, tr_clip *c)
{
  static const char *const prefixes[][2] = {
    { "OAF_", "OAF" }, { "YAF_", "YAF" }, { "OA_", "OAF" }, { "YA_", "YAF" },
  };
  const char *spk = NULL, *rest = NULL;
  for (size_t i = 0; i < 4 && !spk; i++)
    if (!strncasecmp(s, prefixes[i][0], strlen(prefixes[i][0]))) {
      spk = prefixes[i][1];
      rest = s + strlen(prefixes[i][0]);
    }
  const char *last = spk ? strrchr(rest, '_') : NULL;
  if (!last || last == rest)
    return NAME_NONE;
  int e = tr_corpus_emotion_word(last + 1);
  if (e < 0) {
    const char *p = strcasestr(rest, "_pleasant_surprise");
    if (p && p > rest && (!strcasecmp(p, "_pleasant_surprise")
                          || !strcasecmp(p, "_pleasant_surprised")))
      e = EVX_SURPRISED;
  }
  if (e < 0)
    return NAME_BAD_LABEL;
  set_clip(c, "tess", spk, e);
  return NAME_CLIP;
}

enum name_kind tr_corpus_parse_name(const char *path, tr_clip *c)
{
  char buf[512];
  const char *s = stem_of(path, buf, sizeof buf);
  enum name_kind (*const rules[])(const char *, tr_clip *) = { ravdess, cremad, savee, tess };
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    enum name_kind k = rules[i](s, c);
    if (k != NAME_NONE)
      return k;
  }
  return NAME_NONE;
}
