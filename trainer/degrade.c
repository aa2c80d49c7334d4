/* degrade.c: noise and codec round trips for `emovox eval` (see degrade.h).
 *
 * Codec settings, from libsndfile 1.2.0's sources:
 *  - Opus (src/ogg_opus.c): SFC_SET_COMPRESSION_LEVEL L gives the target
 *    bitrate (int)((1 - L) * 250000 + 6000) bit/s per channel, so KBPS maps
 *    to L = 1 - (KBPS * 1000 - 6000) / 250000 (KBPS in 6..256). The encoder
 *    is libopus's default VBR around that target: ogg_opus_command does not
 *    handle SFC_SET_BITRATE_MODE (it returns false), so asking for constant
 *    bitrate is tried and has no effect.
 *  - MPEG Layer III (src/mpeg_l3_encode.c): with SF_BITRATE_MODE_CONSTANT,
 *    L gives lame_set_brate((int)(HI - L * (HI - LO))) with [LO, HI] =
 *    [32, 320] kbps at >= 32 kHz (MPEG-1), [8, 160] at >= 16 kHz (MPEG-2),
 *    [8, 64] below (MPEG-2.5); LAME then uses the nearest standard bitrate.
 *    The bitrate mode is set first: setting it re-applies the level.
 *  - Vorbis (src/ogg_vorbis.c): libvorbis VBR quality = 1 - L.
 * libsndfile 1.2.0's MPEG decoder does not remove LAME's delay at 16 and
 * 22.05 kHz (MPEG-2): the decoded stream is 1105 samples late (576 encoder +
 * 529 decoder delay) and longer; at 44.1 kHz it is trimmed. The delay is cut
 * when the decoded stream is at least that much longer than the input. */
#include "degrade.h"
#include "learn/hash.h"
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAME_TOTAL_DELAY 1105
#define DEGRADE_CODE_VERSION "evx-degrade-v1"

const char tr_degrade_help[] =
  "  --noise white|babble  add noise to every clip before feature extraction, at --snr\n"
  "  --snr DB              noise level: SNR in dB against the clip's mean power\n"
  "  --codec opus:KBPS|mp3:KBPS|vorbis:Q\n"
  "                        encode and decode every clip (after any noise) in memory\n"
  "                        with libsndfile: Ogg/Opus at KBPS (6..256, libopus VBR\n"
  "                        around that target), MP3 at KBPS constant bitrate (8..160\n"
  "                        at 16-24 kHz, 32..320 at >= 32 kHz; LAME takes the nearest\n"
  "                        standard rate), Ogg/Vorbis at quality Q (0..1, oggenc -q\n"
  "                        Q*10). Opus/MP3 resample odd rates to 16 kHz first\n"
  "  --gain DB             change every clip's level by DB (after noise and codec)\n"
  "  --gain-half           ... only about half the clips (by a hash of the path):\n"
  "                        one voice heard at two levels\n"
  "  --seed N              noise seed (1); each clip's noise is seeded by N and a\n"
  "                        hash of its path, so runs are repeatable\n"
  "  babble noise: the sum of 6 independent Gaussian noises, each shaped to a long-\n"
  "  term speech spectrum (high-pass 100 Hz, one-pole low-passes at 500 Hz and\n"
  "  3 kHz: flat to 500 Hz, then -6 dB/octave, -12 above 3 kHz) and gated by a\n"
  "  random syllable envelope (3-6 Hz syllables of +-30% length, voiced with\n"
  "  probability 0.7 at level 0.3..1, smoothed by two 20 ms one-pole filters).\n"
  "  With a degradation the feature cache keys include it (clean entries are\n"
  "  never reused) and the report names it.\n";

static const char *const noise_names[] = { "none", "white", "babble" };
static const char *const codec_names[] = { "none", "opus", "mp3", "vorbis" };

int tr_degrade_enabled(const tr_degrade_opts *o)
{
  return o && (o->noise != TR_NOISE_NONE || o->codec != TR_CODEC_NONE || o->gain_db != 0);
}

int tr_degrade_parse_noise(tr_degrade_opts *o, const char *kind, char *err, size_t errlen)
{
  for (int i = TR_NOISE_WHITE; i <= TR_NOISE_BABBLE; i++)
    if (!strcmp(kind, noise_names[i])) {
      o->noise = i;
      return 0;
    }
  snprintf(err, errlen, "--noise: '%s' is not white or babble", kind);
  return -1;
}

/* ---- libsndfile in memory ---- */

typedef struct {
  unsigned char *p;
  sf_count_t len, cap, pos;
} membuf;

static sf_count_t vm_len(void *u) { return ((membuf *)u)->len; }
static sf_count_t vm_tell(void *u) { return ((membuf *)u)->pos; }

static sf_count_t vm_seek(sf_count_t off, int whence, void *u)
{
  membuf *m = u;
  sf_count_t at = off + (whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->len : 0);
  if (at < 0)
    return -1;
  return m->pos = at;
}

static sf_count_t vm_read(void *dst, sf_count_t count, void *u)
{
  membuf *m = u;
  sf_count_t got = m->pos < m->len ? m->len - m->pos : 0;
  got = got < count ? got : count;
  if (got > 0)
    memcpy(dst, m->p + m->pos, (size_t)got);
  m->pos += got;
  return got;
}

static sf_count_t vm_write(const void *src, sf_count_t count, void *u)
{
  membuf *m = u;
  sf_count_t end = m->pos + count;
  if (end > m->cap) {
    sf_count_t cap = m->cap ? m->cap : 1 << 16;
    while (cap < end)
      cap *= 2;
    unsigned char *p = realloc(m->p, (size_t)cap);
    if (!p)
      return 0;
    m->p = p;
    m->cap = cap;
  }
  if (m->pos > m->len)
    memset(m->p + m->len, 0, (size_t)(m->pos - m->len));
  memcpy(m->p + m->pos, src, (size_t)count);
  m->pos = end;
  if (end > m->len)
    m->len = end;
  return count;
}

static SF_VIRTUAL_IO vio = { vm_len, vm_seek, vm_read, vm_write, vm_tell };

static int sf_format_of(int codec)
{
  return codec == TR_CODEC_OPUS ? SF_FORMAT_OGG | SF_FORMAT_OPUS
       : codec == TR_CODEC_MP3  ? SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III
                                 : SF_FORMAT_OGG | SF_FORMAT_VORBIS;
}

/* The rate the codec runs at for input at `rate`. */
static double codec_rate(int codec, double rate)
{
  static const double opus[] = { 8000, 12000, 16000, 24000, 48000, 0 };
  static const double mp3[] = { 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 0 };
  const double *ok = codec == TR_CODEC_OPUS ? opus : codec == TR_CODEC_MP3 ? mp3 : NULL;
  if (!ok)
    return rate == floor(rate) && rate >= 1000 ? rate : 16000;
  for (; *ok; ok++)
    if (*ok == rate)
      return rate;
  return 16000;
}

/* MP3 constant bitrates libsndfile can ask LAME for at rate (kbps). */
static void mp3_range(double rate, double *lo, double *hi)
{
  *lo = rate >= 32000 ? 32 : 8;
  *hi = rate >= 32000 ? 320 : rate >= 16000 ? 160 : 64;
}

static SNDFILE *open_writer(int codec, double value, double rate, membuf *mb, char *err,
                            size_t errlen)
{
  SF_INFO info = { .samplerate = (int)rate, .channels = 1, .format = sf_format_of(codec) };
  SNDFILE *f = sf_open_virtual(&vio, SFM_WRITE, &info, mb);
  if (!f) {
    snprintf(err, errlen, "%s encoder at %.0f Hz: %s", codec_names[codec], rate,
             sf_strerror(NULL));
    return NULL;
  }
  double level, lo, hi;
  int cbr = SF_BITRATE_MODE_CONSTANT;
  if (codec == TR_CODEC_OPUS) {
    level = 1.0 - (value * 1000.0 - 6000.0 + 0.5) / 250000.0;  /* +0.5: (int) rounds down */
  } else if (codec == TR_CODEC_MP3) {
    mp3_range(rate, &lo, &hi);
    if (value < lo || value > hi) {
      snprintf(err, errlen, "mp3 at %.0f Hz takes %g..%g kbps, not %g", rate, lo, hi, value);
      sf_close(f);
      return NULL;
    }
    level = (hi - value - 0.25) / (hi - lo);
  } else {
    level = 1.0 - value;
  }
  level = level < 0 ? 0 : level > 1 ? 1 : level;
  if (codec != TR_CODEC_VORBIS)   /* Opus: libsndfile 1.2.0 ignores it */
    sf_command(f, SFC_SET_BITRATE_MODE, &cbr, sizeof cbr);
  if (sf_command(f, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level) != SF_TRUE) {
    snprintf(err, errlen, "%s encoder: cannot set compression level %g", codec_names[codec],
             level);
    sf_close(f);
    return NULL;
  }
  return f;
}

static int encode(int codec, double value, const float *x, size_t n, double rate, membuf *mb,
                  char *err, size_t errlen)
{
  SNDFILE *f = open_writer(codec, value, rate, mb, err, errlen);
  if (!f)
    return -1;
  sf_count_t put = sf_writef_float(f, x, (sf_count_t)n);
  int bad = put != (sf_count_t)n || sf_error(f);
  if (bad)
    snprintf(err, errlen, "%s encoder: %s", codec_names[codec], sf_strerror(f));
  if (sf_close(f) != 0 && !bad) {
    snprintf(err, errlen, "%s encoder: cannot finish the stream", codec_names[codec]);
    bad = 1;
  }
  return bad ? -1 : 0;
}

/* Decode mb into *y (malloc'd, *m samples), mono. */
static int decode(membuf *mb, int codec, float **y, size_t *m, char *err, size_t errlen)
{
  SF_INFO info = { 0 };
  mb->pos = 0;
  SNDFILE *f = sf_open_virtual(&vio, SFM_READ, &info, mb);
  if (!f || info.channels != 1) {
    snprintf(err, errlen, "%s decoder: %s", codec_names[codec],
             f ? "not mono" : sf_strerror(NULL));
    if (f)
      sf_close(f);
    return -1;
  }
  size_t cap = 1 << 15, got = 0;
  float *buf = malloc(cap * sizeof *buf);
  sf_count_t r = 1;
  while (buf && r > 0) {
    if (cap - got < 4096) {
      float *grown = realloc(buf, 2 * cap * sizeof *buf);
      if (!grown) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = grown;
      cap *= 2;
    }
    r = sf_readf_float(f, buf + got, (sf_count_t)(cap - got));
    got += r > 0 ? (size_t)r : 0;
  }
  sf_close(f);
  if (!buf) {
    snprintf(err, errlen, "%s decoder: out of memory", codec_names[codec]);
    return -1;
  }
  *y = buf;
  *m = got;
  return 0;
}

int tr_codec_roundtrip(int codec, double value, const float *x, size_t n, double rate,
                        unsigned char **bytes, size_t *n_bytes, float **out,
                        size_t *n_out, double *out_rate, char *err, size_t errlen)
{
  double cr = codec_rate(codec, rate);
  float *rs = NULL, *y = NULL;
  size_t nr = n, m = 0;
  membuf mb = { 0 };
  int rc = -1;
  if (cr != rate && tr_resample_signal(x, n, rate, cr, &rs, &nr) < 0) {
    snprintf(err, errlen, "%s: cannot resample %.0f Hz to %.0f Hz", codec_names[codec], rate, cr);
    return -1;
  }
  if (encode(codec, value, rs ? rs : x, nr, cr, &mb, err, errlen) < 0)
    goto out;
  if (out) {
    if (decode(&mb, codec, &y, &m, err, errlen) < 0)
      goto out;
    size_t skip = codec == TR_CODEC_MP3 && m >= nr + LAME_TOTAL_DELAY ? LAME_TOTAL_DELAY : 0;
    float *z = calloc(nr + 1, sizeof *z);
    if (!z) {
      snprintf(err, errlen, "out of memory");
      goto out;
    }
    memcpy(z, y + skip, (m - skip < nr ? m - skip : nr) * sizeof *z);
    *out = z;
    *n_out = nr;
    *out_rate = cr;
  }
  if (bytes) {
    *bytes = mb.p;
    *n_bytes = (size_t)mb.len;
    mb.p = NULL;
  }
  rc = 0;
out:
  free(mb.p);
  free(rs);
  free(y);
  return rc;
}

int tr_degrade_parse_codec(tr_degrade_opts *o, const char *spec, char *err, size_t errlen)
{
  const char *colon = strchr(spec, ':');
  int codec = TR_CODEC_NONE;
  for (int i = TR_CODEC_OPUS; colon && i <= TR_CODEC_VORBIS; i++)
    if (strlen(codec_names[i]) == (size_t)(colon - spec)
        && !strncmp(spec, codec_names[i], (size_t)(colon - spec)))
      codec = i;
  char *end = NULL;
  double v = colon ? strtod(colon + 1, &end) : NAN;
  double lo = codec == TR_CODEC_OPUS ? 6 : codec == TR_CODEC_MP3 ? 8 : 0;
  double hi = codec == TR_CODEC_OPUS ? 256 : codec == TR_CODEC_MP3 ? 320 : 1;
  if (codec == TR_CODEC_NONE || end == colon + 1 || *end || !(v >= lo && v <= hi)) {
    snprintf(err, errlen, "--codec: '%s' is not opus:KBPS (6..256), mp3:KBPS (8..320) "
             "or vorbis:QUALITY (0..1)", spec);
    return -1;
  }
  membuf mb = { 0 };
  SF_INFO info = { .samplerate = 16000, .channels = 1, .format = sf_format_of(codec) };
  SNDFILE *f = sf_open_virtual(&vio, SFM_WRITE, &info, &mb);
  if (!f) {   /* e.g. a libsndfile built without LAME */
    snprintf(err, errlen, "--codec %s: this libsndfile (%s) cannot write %s: %s",
             spec, sf_version_string(), codec_names[codec], sf_strerror(NULL));
    free(mb.p);
    return -1;
  }
  sf_close(f);
  free(mb.p);
  o->codec = codec;
  o->codec_value = v;
  return 0;
}

void tr_degrade_describe(const tr_degrade_opts *o, char *buf, size_t len)
{
  if (!tr_degrade_enabled(o)) {
    snprintf(buf, len, "none");
    return;
  }
  int at = 0;
  if (o->noise)
    at = snprintf(buf, len, "%s noise at %g dB SNR", noise_names[o->noise], o->snr_db);
  if (o->codec && at >= 0 && (size_t)at < len)
    at += snprintf(buf + at, len - (size_t)at, "%s%s %s %g%s", at ? ", then " : "",
                   codec_names[o->codec], o->codec == TR_CODEC_VORBIS ? "quality" : "at",
                   o->codec_value, o->codec == TR_CODEC_VORBIS ? "" : " kbps");
  if (o->gain_db != 0 && at >= 0 && (size_t)at < len)
    at += snprintf(buf + at, len - (size_t)at, "%sgain %+g dB%s", at ? ", then " : "",
                   o->gain_db, o->gain_half ? " on about half the clips" : "");
  if (at >= 0 && (size_t)at < len)
    snprintf(buf + at, len - (size_t)at, " (seed %llu)", (unsigned long long)o->seed);
}

void tr_degrade_json(const tr_degrade_opts *o, char *buf, size_t len)
{
  char text[256];
  if (!tr_degrade_enabled(o)) {
    snprintf(buf, len, "null");
    return;
  }
  tr_degrade_describe(o, text, sizeof text);
  char snr[32] = "null", value[32] = "null";
  if (o->noise)
    snprintf(snr, sizeof snr, "%g", o->snr_db);
  if (o->codec)
    snprintf(value, sizeof value, "%g", o->codec_value);
  snprintf(buf, len, "{\"noise\": \"%s\", \"snr_db\": %s, \"codec\": \"%s\", \"%s\": %s, "
           "\"gain_db\": %g, \"gain_half\": %s, "
           "\"seed\": %llu, \"libsndfile\": \"%s\", \"description\": \"%s\"}",
           noise_names[o->noise], snr, codec_names[o->codec],
           o->codec == TR_CODEC_VORBIS ? "quality" : "kbps", value, o->gain_db,
           o->gain_half ? "true" : "false",
           (unsigned long long)o->seed, sf_version_string(), text);
}

static uint64_t clip_seed(const tr_degrade_opts *o, const char *path)
{
  uint64_t mix[2] = { o->seed, tr_fnv1a64(TR_FNV_OFFSET, path, strlen(path)) };
  return tr_fnv1a64(TR_FNV_OFFSET, mix, sizeof mix);
}

uint64_t tr_degrade_key(const tr_degrade_opts *o, const char *path, uint64_t h)
{
  if (!tr_degrade_enabled(o))
    return h;
  int kind[2] = { o->noise, o->codec };
  double v[2] = { o->noise ? o->snr_db : 0, o->codec ? o->codec_value : 0 };
  uint64_t seed = o->noise ? clip_seed(o, path) : 0;
  const char *lib = o->codec ? sf_version_string() : "";
  h = tr_fnv1a64(h, DEGRADE_CODE_VERSION, sizeof DEGRADE_CODE_VERSION);
  h = tr_fnv1a64(h, kind, sizeof kind);
  h = tr_fnv1a64(h, v, sizeof v);
  h = tr_fnv1a64(h, &seed, sizeof seed);
  if (o->gain_db != 0) {   /* hashed only when set: older keys stay as they were */
    double g[2] = { o->gain_db, o->gain_half };
    h = tr_fnv1a64(h, g, sizeof g);
  }
  return tr_fnv1a64(h, lib, strlen(lib));
}

int tr_degrade_apply(const tr_degrade_opts *o, const char *path, const float *x,
                      size_t n, double rate, float **out, size_t *n_out,
                      double *out_rate, char *err, size_t errlen)
{
  float *y = malloc((n + 1) * sizeof *y);
  if (!y) {
    snprintf(err, errlen, "%s: out of memory", path);
    return -1;
  }
  memcpy(y, x, n * sizeof *y);
  *out = y;
  *n_out = n;
  *out_rate = rate;
  if (!tr_degrade_enabled(o))
    return 0;
  if (o->noise != TR_NOISE_NONE)
    tr_add_noise_kind(o->noise == TR_NOISE_BABBLE, y, n, o->snr_db, clip_seed(o, path), rate);
  if (o->codec) {
    char why[256];
    float *z;
    if (tr_codec_roundtrip(o->codec, o->codec_value, y, n, rate, NULL, NULL, &z, n_out,
                            out_rate, why, sizeof why) < 0) {
      snprintf(err, errlen, "%s: %s", path, why);
      free(y);
      *out = NULL;
      return -1;
    }
    free(y);
    *out = z;
  }
  if (o->gain_db != 0 && (!o->gain_half || (tr_fnv1a64(TR_FNV_OFFSET, path, strlen(path)) & 1))) {
    float g = (float)pow(10.0, o->gain_db / 20.0);
    for (size_t i = 0; i < *n_out; i++)
      (*out)[i] *= g;
  }
  return 0;
}
