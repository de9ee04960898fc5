/*
 * why.h - the library's one way of filling a caller's reason buffer.
 * Internal: not installed, not part of the API.
 */
#ifndef SMTP2_WHY_H
#define SMTP2_WHY_H

#include <stddef.h>

/* smtp2_why - printf into why when the caller passed a buffer (why may be
 * NULL or whylen 0: the reason is then not wanted). */
void smtp2_why(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
