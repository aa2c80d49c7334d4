/* opts.c: see opts.h. */
#include "opts.h"
#include "cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* "a, b or c" of the choices, into buf. */
static const char *choice_list(const opt_choice *c, char *buf, size_t len)
{
  size_t n = 0, used = 0;
  while (c[n].name)
    n++;
  buf[0] = '\0';
  for (size_t k = 0; k < n && used < len; k++) {
    const char *sep = !k ? "" : k + 1 == n ? " or " : ", ";
    used += (size_t)snprintf(buf + used, len - used, "%s%s", sep, c[k].name);
  }
  return buf;
}

/* "LO:HI" with min <= LO <= HI <= max. */
static int range(const char *v, double min, double max, double *lo, double *hi)
{
  char *end;
  double a = strtod(v, &end), b;
  if (end == v || *end != ':' || (b = strtod(end + 1, &end), *end) ||
      !(a >= min && b <= max && a <= b))
    return -1;
  *lo = a, *hi = b;
  return 0;
}

/* Stores v for option o into base. 0, or -1 after the usage error. */
static int store(const char *cmd, const opt_def *o, const char *v, char *base)
{
  void *to = base + o->at;
  double d;
  char names[256];
  switch (o->kind) {
  case OPT_FLAG: *(int *)to = 1; break;
  case OPT_STRING: *(const char **)to = v; break;
  case OPT_CHOICE: {
    const opt_choice *c = o->choices;
    while (c->name && strcmp(c->name, v))
      c++;
    if (!c->name)
      return tr_usage_error(cmd, "%s is %s, not '%s'", o->name,
                             choice_list(o->choices, names, sizeof names), v), -1;
    *(int *)to = c->value;
    break;
  }
  case OPT_RANGE:
    if (range(v, o->lo, o->hi, (double *)to, (double *)(base + o->at_hi)))
      return tr_usage_error(cmd, "%s needs LO:HI inside %g..%g, not '%s'", o->name, o->lo,
                             o->hi, v), -1;
    break;
  default:
    if (tr_parse_number(v, o->lo, o->hi, &d))
      return tr_usage_error(cmd, "%s needs a number in %g..%g, not '%s'", o->name, o->lo,
                             o->hi, v), -1;
    if (o->kind == OPT_REAL) *(double *)to = d;
    else if (o->kind == OPT_INT) *(int *)to = (int)d;
    else if (o->kind == OPT_U32) *(uint32_t *)to = (uint32_t)d;
    else *(uint64_t *)to = (uint64_t)d;
  }
  if (o->sets)
    *(int *)(base + o->set_at) = 1;
  return 0;
}

int tr_opts_parse(const char *cmd, const opt_def *t, size_t n, void *base, int argc, char **argv,
               int *i)
{
  const opt_def *o = t;
  while (o < t + n && strcmp(o->name, argv[*i]))
    o++;
  if (o == t + n)
    return 0;
  const char *v = NULL;
  if (o->kind != OPT_FLAG) {
    if (*i + 1 >= argc)
      return tr_usage_error(cmd, "%s needs a value", o->name), -1;
    v = argv[++*i];
  }
  return store(cmd, o, v, base) ? -1 : 1;
}

void tr_opts_help(const opt_def *t, size_t n, FILE *f)
{
  for (size_t k = 0; k < n; k++)
    if (t[k].help)
      fputs(t[k].help, f);
}
