/*
 * why.c - fill a caller's reason buffer.
 */

/* System library. */
#include <stdarg.h>
#include <stdio.h>

/* Application-specific. */
#include "why.h"

/* smtp2_why - format a reason, when the caller wants one */
void
smtp2_why(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	ap;

	if (why == NULL || whylen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}
