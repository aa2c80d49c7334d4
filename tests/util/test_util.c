#include "test_util.h"
#include "evx_bundle.h"
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <ftw.h>
#include <unistd.h>

static int is_dir(const char *p)
{
  struct stat st;
  return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *tu_source_root(void)
{
  const char *s = getenv("EVX_SOURCE_ROOT");
  return s ? s : ".";
}

const char *tu_build_root(void)
{
  const char *s = getenv("EVX_BUILD_ROOT");
  return s ? s : ".";
}

const char *tu_shared_dir(void)
{
  static char buf[4096];
  const char *env = getenv("EVX_SHARED");
  if (env && is_dir(env))
    return env;
  snprintf(buf, sizeof buf, "%s/../shared", tu_source_root());
  return is_dir(buf) ? buf : NULL;
}

const char *tu_shared_path(char *buf, size_t len, const char *rel)
{
  snprintf(buf, len, "%s/%s", tu_shared_dir() ? tu_shared_dir() : "../shared", rel);
  return buf;
}

/* Every directory tu_tmpdir made, with the pid that made it: each process
 * removes only its own at exit, so a forked child that leaves through exit()
 * does not take its parent's directories along. */
#define TU_MAX_TMPDIRS 256
static struct { char *path; pid_t owner; } tmpdirs[TU_MAX_TMPDIRS];
static int n_tmpdirs;
static int cleanup_registered;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path); /* best effort: keep walking */
  return 0;
}

static void remove_tmpdirs(void)
{
  int keep = getenv("EVX_KEEP_TMP") != NULL;
  for (int i = 0; i < n_tmpdirs; i++) {
    if (tmpdirs[i].owner == getpid()) {
      if (keep)
        fprintf(stderr, "kept %s (EVX_KEEP_TMP)\n", tmpdirs[i].path);
      else
        nftw(tmpdirs[i].path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    free(tmpdirs[i].path);
  }
  n_tmpdirs = 0;
}

const char *tu_tmpdir(void)
{
  const char *base = getenv("TMPDIR");
  char buf[4096];
  snprintf(buf, sizeof buf, "%s/evx-test-XXXXXX", base && *base ? base : "/tmp");
  if (n_tmpdirs == TU_MAX_TMPDIRS || !mkdtemp(buf))
    return NULL;
  char *dir = strdup(buf);
  if (!dir) {
    rmdir(buf);
    return NULL;
  }
  if (!cleanup_registered) {
    cleanup_registered = 1;
    atexit(remove_tmpdirs);
  }
  tmpdirs[n_tmpdirs].path = dir;
  tmpdirs[n_tmpdirs].owner = getpid();
  n_tmpdirs++;
  return dir;
}

float *tu_read_audio(const char *path, size_t *n, double *rate)
{
  SF_INFO info;
  memset(&info, 0, sizeof info);
  SNDFILE *f = sf_open(path, SFM_READ, &info);
  if (!f)
    return NULL;
  size_t frames = (size_t)info.frames, ch = (size_t)info.channels;
  float *inter = malloc(sizeof(float) * (frames * ch + 1));
  float *out = malloc(sizeof(float) * (frames + 1));
  sf_count_t got = inter && out ? sf_readf_float(f, inter, (sf_count_t)frames) : 0;
  sf_close(f);
  if (!inter || !out) {
    free(inter);
    free(out);
    return NULL;
  }
  for (sf_count_t i = 0; i < got; i++) {
    float s = 0;
    for (size_t c = 0; c < ch; c++)
      s += inter[(size_t)i * ch + c];
    out[i] = s / (float)ch;
  }
  free(inter);
  *n = (size_t)got;
  *rate = info.samplerate;
  return out;
}

int tu_write_wav(const char *path, const float *x, size_t n, int rate)
{
  SF_INFO info = { .samplerate = rate, .channels = 1,
                   .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
  SNDFILE *f = sf_open(path, SFM_WRITE, &info);
  if (!f)
    return -1;
  sf_count_t w = sf_writef_float(f, x, (sf_count_t)n);
  sf_close(f);
  return w == (sf_count_t)n ? 0 : -1;
}

uint64_t tu_rand(uint64_t *s)
{
  uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

double tu_uniform(uint64_t *s)
{
  return (double)(tu_rand(s) >> 11) * (1.0 / 9007199254740992.0);
}

double tu_gauss(uint64_t *s)
{
  double u1 = tu_uniform(s), u2 = tu_uniform(s);
  if (u1 < 1e-300)
    u1 = 1e-300;
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- running the emovox binary ---------------------------------------- */

const char *tu_emovox(void)
{
  static char exe[4096];
  snprintf(exe, sizeof exe, "%s/trainer/emovox", tu_build_root());
  return exe;
}

pid_t tu_spawn_emovox(char *const args[], const char *log, long fsize_limit, int stop_epoch)
{
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid != 0)
    return pid;
  if (log) {
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
  }
  if (fsize_limit > 0) {
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = { (rlim_t)fsize_limit, (rlim_t)fsize_limit };
    setrlimit(RLIMIT_FSIZE, &rl);
  }
  char stop[16];
  snprintf(stop, sizeof stop, "%d", stop_epoch);
  if (stop_epoch > 0)
    setenv("EVX_TRAIN_STOP_AFTER_EPOCH", stop, 1);
  else
    unsetenv("EVX_TRAIN_STOP_AFTER_EPOCH");
  char *argv[96];
  int n = 0;
  argv[n++] = (char *)tu_emovox();
  while (args[n - 1] && n < 95) {
    argv[n] = args[n - 1];
    n++;
  }
  argv[n] = NULL;
  execv(argv[0], argv);
  _exit(127);
}

int tu_wait(pid_t pid)
{
  int st;
  if (pid < 0)
    return -1;
  while (waitpid(pid, &st, 0) < 0)
    ;
  return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

int tu_run_emovox(char *const args[], const char *log, long fsize_limit)
{
  return tu_wait(tu_spawn_emovox(args, log, fsize_limit, 0));
}

char *tu_slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0, got;
  char *p = malloc(cap);
  while (p && (got = fread(p + n, 1, cap - n - 1, f)) > 0) {
    n += got;
    if (cap - n < 2) {
      char *q = realloc(p, cap *= 2);
      if (!q) {
        free(p);
        p = NULL;
      }
      p = q;
    }
  }
  fclose(f);
  if (p)
    p[n] = '\0';
  if (len)
    *len = n;
  return p;
}

int tu_copy_prefix(const char *src, const char *dst, long keep)
{
  FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
  if (!in || !out) {
    if (in)
      fclose(in);
    return -1;
  }
  for (long i = 0; i < keep; i++) {
    int c = fgetc(in);
    if (c == EOF)
      break;
    fputc(c, out);
  }
  fclose(in);
  return fclose(out) == 0 ? 0 : -1;
}

evx_model *tu_bundle_reparse(const evx_model *m)
{
  void *buf;
  size_t len;
  char err[256];
  evx_model *back = NULL;
  if (evx_bundle_serialize(m, &buf, &len, err, sizeof err)) fail_msg("write: %s", err);
  if (evx_bundle_parse(buf, len, &back, err, sizeof err)) fail_msg("read: %s", err);
  free(buf);
  return back;
}

/* m's bytes with no provenance record (malloc'd, *len). */
static void *network_bytes(const char *path, size_t *len)
{
  evx_model *m = NULL;
  void *buf = NULL;
  char err[512];
  if (evx_bundle_load(path, &m, err, sizeof err)) fail_msg("%s: %s", path, err);
  free(m->provenance);
  m->provenance = NULL;
  if (evx_bundle_serialize(m, &buf, len, err, sizeof err)) fail_msg("%s: %s", path, err);
  evx_model_free(m);
  return buf;
}

void tu_assert_same_networks(const char *a, const char *b)
{
  size_t la, lb;
  void *x = network_bytes(a, &la), *y = network_bytes(b, &lb);
  assert_int_equal(la, lb);
  assert_memory_equal(x, y, la);
  free(x);
  free(y);
}

void tu_bundle_refused(const evx_model *m, const char *says)
{
  void *buf = NULL;
  size_t len;
  char err[256] = "";
  assert_int_not_equal(evx_bundle_serialize(m, &buf, &len, err, sizeof err), 0);
  assert_non_null(strstr(err, says));
}

float *tu_syllables(double rate, double seconds, double fmax, uint64_t seed, size_t *n)
{
  *n = (size_t)(seconds * rate);
  float *x = calloc(*n, sizeof *x);
  assert_non_null(x);
  uint64_t r = seed;
  size_t t = (size_t)(0.1 * rate);
  double ph = 0;
  while (t < *n) {
    size_t len = (size_t)((0.15 + 0.15 * tu_uniform(&r)) * rate);
    double f0 = 100 + 120 * tu_uniform(&r), glide = 40 * (tu_uniform(&r) - 0.5);
    double f1 = 400 + 500 * tu_uniform(&r), f2 = 1200 + 1200 * tu_uniform(&r);
    double amp = 0.4 + 0.6 * tu_uniform(&r);
    for (size_t i = 0; i < len && t + i < *n; i++) {
      double u = (double)i / (double)len, f = f0 + glide * u, v = 0;
      ph += 2 * M_PI * f / rate;
      for (int k = 1; k <= 30 && k * f < fmax; k++) {
        double hk = k * f, d1 = (hk - f1) / 150, d2 = (hk - f2) / 250;
        v += (exp(-d1 * d1) + 0.5 * exp(-d2 * d2) + 0.05 / k) * sin(k * ph);
      }
      x[t + i] = (float)(amp * sin(M_PI * u) * v);
    }
    t += len + (size_t)((0.05 + 0.10 * tu_uniform(&r)) * rate);
  }
  float peak = 0;
  for (size_t i = 0; i < *n; i++)
    peak = fabsf(x[i]) > peak ? fabsf(x[i]) : peak;
  assert_true(peak > 0);
  for (size_t i = 0; i < *n; i++)
    x[i] = x[i] / peak + (float)(pow(10, -55 / 20.0) * tu_gauss(&r));
  return x;
}

float tu_talker(size_t i, double rate, double f0, double amp)
{
  double t = (double)i / rate;
  /* F0 contour: a slow phrase and a faster syllable movement; its phase is
   * the closed-form integral, so any sample can be asked for on its own */
  const double a1 = 0.12, w1 = 2 * M_PI * 0.7, a2 = 0.05, w2 = 2 * M_PI * 3.1;
  double phase = 2 * M_PI * f0 * (t + a1 * (1 - cos(w1 * t)) / w1 + a2 * (1 - cos(w2 * t)) / w2);
  double s = 0, norm = 0;
  for (int h = 1; h * f0 * 1.2 < 4000 && h * f0 * 1.2 < rate / 2; h++) {
    s += sin(h * phase) / h;
    norm += 1.0 / h;
  }
  double syl = fmod(t, 0.25) / 0.25;               /* 0..1 through a syllable */
  double env = syl < 0.75 ? sin(M_PI * syl / 0.75) : 0;
  return (float)(amp * env * env * s / (norm > 0 ? norm : 1) * 1.6);
}
