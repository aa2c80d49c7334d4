/* test_quote.c: the one CSV/JSON escaping helper (trainer/quote.h) that
 * reports and analyze write text through. */
#include "test_util.h"
#include "quote.h"
#include <stdlib.h>
#include <string.h>

/* What fn writes for s, as a string (freed by the caller). */
static char *written(void (*csv)(FILE *, const char *, int), void (*json)(FILE *, const char *),
                     const char *s, int always)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  if (csv)
    csv(f, s, always);
  else
    json(f, s);
  fclose(f);
  return buf;
}

static void expect(char *got, const char *want)
{
  assert_string_equal(got, want);
  free(got);
}

static void test_csv_quotes_when_needed_or_always(void **state)
{
  (void)state;
  expect(written(tr_csv_string, NULL, "a/b.wav", 0), "a/b.wav");
  expect(written(tr_csv_string, NULL, "a/b.wav", 1), "\"a/b.wav\"");
  expect(written(tr_csv_string, NULL, "x,y.wav", 0), "\"x,y.wav\"");
  expect(written(tr_csv_string, NULL, "say \"hi\".wav", 0), "\"say \"\"hi\"\".wav\"");
  expect(written(tr_csv_string, NULL, "two\nlines", 0), "\"two\nlines\"");
}

static void test_json_escapes(void **state)
{
  (void)state;
  expect(written(NULL, tr_json_string, "plain", 0), "\"plain\"");
  expect(written(NULL, tr_json_string, "a\"b\\c", 0), "\"a\\\"b\\\\c\"");
  expect(written(NULL, tr_json_string, "tab\there\x01", 0), "\"tab\\u0009here\\u0001\"");
  expect(written(NULL, tr_json_string, NULL, 0), "\"\"");
  expect(written(NULL, tr_json_string, "caf\xc3\xa9", 0), "\"caf\xc3\xa9\"");   /* UTF-8 kept */
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_csv_quotes_when_needed_or_always),
    cmocka_unit_test(test_json_escapes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
