/*
 * result.c - names of results, methods and DNSSEC states, both ways.
 *
 * The names are wire vocabulary: they appear in Authentication-Results,
 * in the policyd reply and in configuration files, so they never change.
 * Parsing is case-insensitive because people type configuration files.
 */

/* System library. */
#include <stddef.h>
#include <strings.h>

/* Application-specific. */
#include <smtp2/result.h>

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Returned for a value outside its enum: a bug, but never a NULL deref. */
#define RESULT_BAD_NAME	"invalid"

static const char *const result_names[] = {
	[SMTP2_RESULT_NONE] = "none",
	[SMTP2_RESULT_PASS] = "pass",
	[SMTP2_RESULT_FAIL] = "fail",
	[SMTP2_RESULT_TEMPERROR] = "temperror",
	[SMTP2_RESULT_PERMERROR] = "permerror",
};

static const char *const method_names[] = {
	[SMTP2_METHOD_NONE] = "none",
	[SMTP2_METHOD_DANE] = "dane",
	[SMTP2_METHOD_PKIX] = "pkix",
};

static const char *const dnssec_names[] = {
	[SMTP2_DNSSEC_UNKNOWN] = "unknown",
	[SMTP2_DNSSEC_SECURE] = "secure",
	[SMTP2_DNSSEC_INSECURE] = "insecure",
	[SMTP2_DNSSEC_BOGUS] = "bogus",
	[SMTP2_DNSSEC_INDETERMINATE] = "indeterminate",
};

static const char *const dnssec_mode_names[] = {
	[SMTP2_DNSSEC_REQUIRED] = "required",
	[SMTP2_DNSSEC_PREFERRED] = "preferred",
	[SMTP2_DNSSEC_OFF] = "off",
};

/* result_name - table entry, or RESULT_BAD_NAME when out of range */
static const char *
result_name(const char *const *names, size_t n, unsigned v)
{
	return (v < n ? names[v] : RESULT_BAD_NAME);
}

/* result_index - position of name in the table (any case), or -1 */
static int
result_index(const char *const *names, size_t n, const char *name)
{
	size_t	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < n; i++)
		if (strcasecmp(names[i], name) == 0)
			return ((int)i);
	return (-1);
}

/* smtp2_result_name - "none", "pass", "fail", "temperror", "permerror" */
const char *
smtp2_result_name(enum smtp2_result r)
{
	return (result_name(result_names, NELEM(result_names), (unsigned)r));
}

/* smtp2_method_name - "none", "dane", "pkix" */
const char *
smtp2_method_name(enum smtp2_method m)
{
	return (result_name(method_names, NELEM(method_names), (unsigned)m));
}

/* smtp2_dnssec_name - "unknown", "secure", "insecure", "bogus", ... */
const char *
smtp2_dnssec_name(enum smtp2_dnssec d)
{
	return (result_name(dnssec_names, NELEM(dnssec_names), (unsigned)d));
}

/* smtp2_dnssec_mode_name - "required", "preferred", "off" */
const char *
smtp2_dnssec_mode_name(enum smtp2_dnssec_mode m)
{
	return (result_name(dnssec_mode_names, NELEM(dnssec_mode_names),
	    (unsigned)m));
}

/* smtp2_result_parse - inverse of smtp2_result_name */
int
smtp2_result_parse(const char *name, enum smtp2_result *r)
{
	int	i = result_index(result_names, NELEM(result_names), name);

	if (i < 0)
		return (-1);
	*r = (enum smtp2_result)i;
	return (0);
}

/* smtp2_method_parse - inverse of smtp2_method_name */
int
smtp2_method_parse(const char *name, enum smtp2_method *m)
{
	int	i = result_index(method_names, NELEM(method_names), name);

	if (i < 0)
		return (-1);
	*m = (enum smtp2_method)i;
	return (0);
}

/* smtp2_dnssec_parse - inverse of smtp2_dnssec_name */
int
smtp2_dnssec_parse(const char *name, enum smtp2_dnssec *d)
{
	int	i = result_index(dnssec_names, NELEM(dnssec_names), name);

	if (i < 0)
		return (-1);
	*d = (enum smtp2_dnssec)i;
	return (0);
}

/* smtp2_dnssec_mode_parse - inverse of smtp2_dnssec_mode_name */
int
smtp2_dnssec_mode_parse(const char *name, enum smtp2_dnssec_mode *m)
{
	int	i = result_index(dnssec_mode_names, NELEM(dnssec_mode_names),
	    name);

	if (i < 0)
		return (-1);
	*m = (enum smtp2_dnssec_mode)i;
	return (0);
}
