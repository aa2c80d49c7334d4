/* quote.h: text written as one CSV field or one JSON string: the one place
 * the trainer escapes text for a file format (reports, analyze). Non-RT. */
#ifndef TR_QUOTE_H
#define TR_QUOTE_H

#include <stdio.h>

/* s as a CSV field (RFC 4180: in double quotes, a quote doubled): quoted
 * always, or with always 0 only when s holds a comma, quote or newline. */
void tr_csv_string(FILE *f, const char *s, int always);

/* s as a JSON string: quotes and backslashes escaped, control characters
 * as \u00XX; NULL as "". */
void tr_json_string(FILE *f, const char *s);

#endif
