/*
 * test_check_json.c - smtp2-check's JSON writer (tools/check_json.c):
 * string escaping, UTF-8 repair, structure, pretty layout, misuse.  Every
 * output is also run through a reference parser by t_check.sh; here the
 * exact bytes are pinned.
 */

/* System library. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Library. */
#include <cmocka.h>

/* Application-specific. */
#include "check_json.h"

/* A writer on a memory stream; take() ends the document and hands back
 * the text (the final newline dropped) and jsonw_finish()'s status. */
struct mem {
	char	*buf;
	size_t	len;
	FILE	*f;
	struct jsonw w;
};

static void
mem_open(struct mem *m, bool pretty)
{
	memset(m, 0, sizeof(*m));
	m->f = open_memstream(&m->buf, &m->len);
	assert_non_null(m->f);
	jsonw_init(&m->w, m->f, pretty);
}

static int
mem_take(struct mem *m)
{
	int rc = jsonw_finish(&m->w);

	fclose(m->f);
	assert_true(m->len > 0 && m->buf[m->len - 1] == '\n');
	m->buf[--m->len] = '\0';
	return rc;
}

struct esc_case {
	const char	*name;
	const char	*in;
	size_t		len;		/* 0: strlen(in) */
	const char	*want;		/* the literal, quotes included */
};

static const struct esc_case esc_cases[] = {
	{ "plain", "mx.example.net", 0, "\"mx.example.net\"" },
	{ "empty", "", 0, "\"\"" },
	{ "quote", "say \"hi\"", 0, "\"say \\\"hi\\\"\"" },
	{ "backslash", "a\\b", 0, "\"a\\\\b\"" },
	{ "slash kept", "a/b", 0, "\"a/b\"" },
	{ "short escapes", "\b\f\n\r\t", 0, "\"\\b\\f\\n\\r\\t\"" },
	{ "other controls", "\x01\x1f", 0, "\"\\u0001\\u001f\"" },
	{ "DEL", "\x7f", 0, "\"\\u007f\"" },
	{ "ESC sequence", "\x1b[31mred", 0, "\"\\u001b[31mred\"" },
	{ "NUL inside", "a\0b", 3, "\"a\\u0000b\"" },
	{ "two-byte UTF-8", "\xc3\xa9t\xc3\xa9", 0, "\"\xc3\xa9t\xc3\xa9\"" },
	{ "three-byte UTF-8", "\xe2\x82\xac", 0, "\"\xe2\x82\xac\"" },
	{ "four-byte UTF-8", "\xf0\x9f\x98\x80", 0, "\"\xf0\x9f\x98\x80\"" },
	{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 0, "\"\xf4\x8f\xbf\xbf\"" },
	{ "lone continuation", "a\x80z", 0, "\"a\\ufffdz\"" },
	{ "overlong slash", "\xc0\xaf", 0, "\"\\ufffd\\ufffd\"" },
	{ "overlong 3-byte", "\xe0\x80\xaf", 0, "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "surrogate", "\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\"" },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "F5 lead", "\xf5\x80", 0, "\"\\ufffd\\ufffd\"" },
	{ "truncated at end", "x\xe2\x82", 0, "\"x\\ufffd\\ufffd\"" },
	{ "Latin-1 byte", "caf\xe9", 0, "\"caf\\ufffd\"" },
	{ "bad then good", "\xff\xc3\xa9", 0, "\"\\ufffd\xc3\xa9\"" },
};

/* test_escape - each string alone as the document */
static void
test_escape(void **state)
{
	const struct esc_case *c;
	struct mem m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(esc_cases) / sizeof(esc_cases[0]); i++) {
		c = &esc_cases[i];
		mem_open(&m, false);
		jsonw_string_len(&m.w, NULL, c->in, c->len ? c->len : strlen(c->in));
		if (mem_take(&m) != 0)
			fail_msg("%s: finish failed", c->name);
		if (strcmp(m.buf, c->want) != 0)
			fail_msg("%s: got %s, want %s", c->name, m.buf, c->want);
		free(m.buf);
	}
}

/* test_compact - nesting, commas, every value type */
static void
test_compact(void **state)
{
	struct mem m;

	(void)state;
	mem_open(&m, false);
	jsonw_object_open(&m.w, NULL);
	jsonw_int(&m.w, "n", -42);
	jsonw_int(&m.w, "min", LLONG_MIN);
	jsonw_string(&m.w, "s", "x");
	jsonw_string(&m.w, "none", NULL);
	jsonw_array_open(&m.w, "a");
	jsonw_bool(&m.w, NULL, true);
	jsonw_bool(&m.w, NULL, false);
	jsonw_null(&m.w, NULL);
	jsonw_object_open(&m.w, NULL);
	jsonw_object_close(&m.w);
	jsonw_array_open(&m.w, NULL);
	jsonw_array_close(&m.w);
	jsonw_array_close(&m.w);
	jsonw_string(&m.w, "k\"ey", "v");
	jsonw_object_close(&m.w);
	assert_int_equal(mem_take(&m), 0);
	assert_string_equal(m.buf, "{\"n\":-42,\"min\":-9223372036854775808,"
	    "\"s\":\"x\",\"none\":null,\"a\":[true,false,null,{},[]],"
	    "\"k\\\"ey\":\"v\"}");
	free(m.buf);
}

/* test_pretty - two-space indentation, empty containers stay on a line */
static void
test_pretty(void **state)
{
	struct mem m;

	(void)state;
	mem_open(&m, true);
	jsonw_object_open(&m.w, NULL);
	jsonw_int(&m.w, "a", 1);
	jsonw_array_open(&m.w, "b");
	jsonw_string(&m.w, NULL, "x");
	jsonw_array_close(&m.w);
	jsonw_array_open(&m.w, "e");
	jsonw_array_close(&m.w);
	jsonw_object_close(&m.w);
	assert_int_equal(mem_take(&m), 0);
	assert_string_equal(m.buf, "{\n  \"a\": 1,\n  \"b\": [\n    \"x\"\n  ],\n"
	    "  \"e\": []\n}");
	free(m.buf);
}

/* misuse cases: each must make jsonw_finish() fail */
static void
misuse_key_in_array(struct jsonw *w)
{
	jsonw_array_open(w, NULL);
	jsonw_int(w, "k", 1);
	jsonw_array_close(w);
}

static void
misuse_no_key_in_object(struct jsonw *w)
{
	jsonw_object_open(w, NULL);
	jsonw_int(w, NULL, 1);
	jsonw_object_close(w);
}

static void
misuse_unclosed(struct jsonw *w)
{
	jsonw_object_open(w, NULL);
}

static void
misuse_wrong_close(struct jsonw *w)
{
	jsonw_object_open(w, NULL);
	jsonw_array_close(w);
	jsonw_object_close(w);
}

static void
misuse_extra_close(struct jsonw *w)
{
	jsonw_array_open(w, NULL);
	jsonw_array_close(w);
	jsonw_array_close(w);
}

static void
misuse_two_documents(struct jsonw *w)
{
	jsonw_int(w, NULL, 1);
	jsonw_int(w, NULL, 2);
}

static void
misuse_too_deep(struct jsonw *w)
{
	int i;

	for (i = 0; i <= JSONW_DEPTH_MAX; i++)
		jsonw_array_open(w, NULL);
	for (i = 0; i <= JSONW_DEPTH_MAX; i++)
		jsonw_array_close(w);
}

static void
misuse_empty(struct jsonw *w)
{
	(void)w;
}

/* test_misuse - a broken document is reported, never silently written */
static void
test_misuse(void **state)
{
	static const struct {
		const char *name;
		void (*fn)(struct jsonw *);
	} cases[] = {
		{ "key in array", misuse_key_in_array },
		{ "no key in object", misuse_no_key_in_object },
		{ "unclosed", misuse_unclosed },
		{ "wrong close", misuse_wrong_close },
		{ "extra close", misuse_extra_close },
		{ "two documents", misuse_two_documents },
		{ "too deep", misuse_too_deep },
		{ "empty", misuse_empty },
	};
	struct mem m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mem_open(&m, false);
		cases[i].fn(&m.w);
		if (mem_take(&m) != -1)
			fail_msg("%s: finish did not fail (output %s)", cases[i].name,
			    m.buf);
		free(m.buf);
	}
}

/* test_depth_limit - exactly JSONW_DEPTH_MAX levels are fine */
static void
test_depth_limit(void **state)
{
	struct mem m;
	int i;

	(void)state;
	mem_open(&m, false);
	for (i = 0; i < JSONW_DEPTH_MAX; i++)
		jsonw_array_open(&m.w, NULL);
	for (i = 0; i < JSONW_DEPTH_MAX; i++)
		jsonw_array_close(&m.w);
	assert_int_equal(mem_take(&m), 0);
	assert_int_equal(strlen(m.buf), 2 * JSONW_DEPTH_MAX);
	free(m.buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_depth_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
