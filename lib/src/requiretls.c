/*
 * requiretls.c - the TLS-Required header field and the REQUIRETLS MAIL
 * parameter (RFC 8689 sections 2 and 3).
 *
 * The header field relaxes TLS policy ("deliver even without TLS"), so a
 * value we are unsure of must never count as "No": only one exact word,
 * with nothing but CFWS around it, does.
 */

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <strings.h>

/* Application-specific. */
#include <smtp2/requiretls.h>

#define RTLS_COMMENT_DEPTH	32	/* deeper nesting is not a value we honour */

/* smtp2_requiretls_field - which spelling, if any */
enum smtp2_rtls_field
smtp2_requiretls_field(const char *name)
{
	if (name == NULL)
		return SMTP2_RTLS_FIELD_OTHER;
	if (strcasecmp(name, "TLS-Required") == 0)
		return SMTP2_RTLS_FIELD_RFC;
	/* draft-02 to -07 wrote RequireTLS, draft-01 Require-TLS. */
	if (strcasecmp(name, "RequireTLS") == 0 || strcasecmp(name, "Require-TLS") == 0)
		return SMTP2_RTLS_FIELD_DRAFT;
	return SMTP2_RTLS_FIELD_OTHER;
}

/* skip_comment - past one comment starting at v[i] == '('; len when it
 * never closes (the caller then sees the end and no "No") */
static size_t
skip_comment(const char *v, size_t len, size_t i, bool *ok)
{
	unsigned depth = 0;

	for (; i < len; i++) {
		if (v[i] == '\\') {
			i++;		/* quoted-pair: the next byte is literal */
		} else if (v[i] == '(') {
			if (++depth > RTLS_COMMENT_DEPTH)
				break;
		} else if (v[i] == ')' && --depth == 0) {
			return i + 1;
		}
	}
	*ok = false;
	return len;
}

/* skip_cfws - past blanks, folding and comments */
static size_t
skip_cfws(const char *v, size_t len, size_t i, bool *ok)
{
	while (i < len && *ok) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')
			i++;
		else if (v[i] == '(')
			i = skip_comment(v, len, i, ok);
		else
			break;
	}
	return i;
}

/* smtp2_requiretls_value_is_no - CFWS "No" CFWS, nothing else */
bool
smtp2_requiretls_value_is_no(const char *value, size_t len)
{
	bool	ok = true;
	size_t	i;

	if (value == NULL)
		return false;
	i = skip_cfws(value, len, 0, &ok);
	if (!ok || len - i < 2 || (value[i] != 'N' && value[i] != 'n')
	    || (value[i + 1] != 'O' && value[i + 1] != 'o'))
		return false;
	i = skip_cfws(value, len, i + 2, &ok);
	return ok && i == len;
}

/* smtp2_requiretls_headers_init - nothing seen yet */
void
smtp2_requiretls_headers_init(struct smtp2_rtls_headers *h)
{
	h->n_rfc = 0;
	h->n_draft = 0;
	h->rfc_no = false;
	h->draft_no = false;
}

/* value_no - a NUL-terminated value is "No" */
static bool
value_no(const char *value)
{
	size_t n = 0;

	if (value == NULL)
		return false;
	while (value[n] != '\0')
		n++;
	return smtp2_requiretls_value_is_no(value, n);
}

/* smtp2_requiretls_headers_add - count one field; the first value decides */
void
smtp2_requiretls_headers_add(struct smtp2_rtls_headers *h, const char *name,
    const char *value)
{
	switch (smtp2_requiretls_field(name)) {
	case SMTP2_RTLS_FIELD_RFC:
		/* Counters saturate: only 0, 1 and "more" matter. */
		if (h->n_rfc < 2 && h->n_rfc++ == 0)
			h->rfc_no = value_no(value);
		break;
	case SMTP2_RTLS_FIELD_DRAFT:
		if (h->n_draft < 2 && h->n_draft++ == 0)
			h->draft_no = value_no(value);
		break;
	default:
		break;
	}
}

/* smtp2_requiretls_headers_result - one classification for the message */
enum smtp2_rtls_header
smtp2_requiretls_headers_result(const struct smtp2_rtls_headers *h)
{
	if (h->n_rfc > 1 || h->n_draft > 1)
		return SMTP2_RTLS_HDR_MULTIPLE;
	if (h->n_rfc == 1)
		return h->rfc_no ? SMTP2_RTLS_HDR_NO : SMTP2_RTLS_HDR_INVALID;
	if (h->n_draft == 1)
		return h->draft_no ? SMTP2_RTLS_HDR_DRAFT_NO : SMTP2_RTLS_HDR_INVALID;
	return SMTP2_RTLS_HDR_NONE;
}

/* smtp2_requiretls_header_name - the classification as logged */
const char *
smtp2_requiretls_header_name(enum smtp2_rtls_header r)
{
	switch (r) {
	case SMTP2_RTLS_HDR_NONE:
		return "none";
	case SMTP2_RTLS_HDR_NO:
		return "no";
	case SMTP2_RTLS_HDR_DRAFT_NO:
		return "draft-no";
	case SMTP2_RTLS_HDR_INVALID:
		return "invalid";
	case SMTP2_RTLS_HDR_MULTIPLE:
		return "multiple";
	}
	return "unknown";
}

/* smtp2_requiretls_multiple_name - requiretls.multiple as configured */
const char *
smtp2_requiretls_multiple_name(enum smtp2_rtls_multiple m)
{
	return m == SMTP2_RTLS_MULTIPLE_REJECT ? "reject" : "flag";
}

/* smtp2_requiretls_mail_param - REQUIRETLS among the ESMTP parameters */
bool
smtp2_requiretls_mail_param(char *const *params)
{
	if (params == NULL)
		return false;
	for (; *params != NULL; params++)
		if (strcasecmp(*params, "REQUIRETLS") == 0)
			return true;
	return false;
}
