/*
 * support.h - helpers every unit test may use: reading fixtures and
 * looking at text output.  Failures are cmocka failures of the calling
 * test.
 */
#ifndef SMTP2_TEST_SUPPORT_H
#define SMTP2_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

/* t_slurp - the whole file at path, NUL added; its length in *len when
 * len is not NULL.  Fails the test when it cannot be read.  Caller frees. */
char	*t_slurp(const char *path, size_t *len);

/* t_has_line - does text hold exactly this line (between line breaks)? */
bool	t_has_line(const char *text, const char *line);

#endif
