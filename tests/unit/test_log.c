/*
 * test_log.c - daemon logging (common/log.c): file destination, line
 * format, level filter, reopen, threads, and key="value" quoting.
 */

/* System library. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Library. */
#include <cmocka.h>

#include "support.h"

/* Application-specific. */
#include "log.h"
#include "log_json.h"
#include "log_limit.h"

#define THREADS		4
#define PER_THREAD	200

/* count_lines - lines in s containing needle */
static int
count_lines(const char *s, const char *needle)
{
	const char *nl;
	char *line;
	int n = 0;

	for (; *s != '\0'; s = nl + 1) {
		if ((nl = strchr(s, '\n')) == NULL)
			break;
		line = strndup(s, (size_t)(nl - s));
		assert_non_null(line);
		n += strstr(line, needle) != NULL;
		free(line);
	}
	return n;
}

/* tmp_path - a fresh file name under /tmp */
static void
tmp_path(char *path, size_t len, const char *tag)
{
	snprintf(path, len, "/tmp/test_log.%ld.%s", (long)getpid(), tag);
	unlink(path);
}

/* test_file_format - timestamp, ident[pid], severity words, filter */
static void
test_file_format(void **state)
{
	char path[256], to[300], why[256], want[64], *text, *line;

	(void)state;
	tmp_path(path, sizeof(path), "fmt");
	snprintf(to, sizeof(to), "file:%s", path);
	assert_int_equal(smtp2d_log_open("smtp2-test", to, SMTP2_LOG_INFO, why,
	    sizeof(why)), 0);
	log_info("hello %d", 42);
	log_warn("careful");
	log_err("broken");
	log_debug("not shown");
	log_info("two\nlines");
	smtp2d_log_close();

	text = t_slurp(path, NULL);
	snprintf(want, sizeof(want), " smtp2-test[%ld]: hello 42\n", (long)getpid());
	line = strstr(text, want);
	assert_non_null(line);
	/* 2025-01-02T03:04:05.678+01:00 */
	assert_true(line - text == 29);
	assert_true(text[4] == '-' && text[10] == 'T' && text[19] == '.'
	    && text[26] == ':');
	assert_int_equal(count_lines(text, "]: warning: careful"), 1);
	assert_int_equal(count_lines(text, "]: error: broken"), 1);
	assert_int_equal(count_lines(text, "not shown"), 0);
	assert_int_equal(count_lines(text, "two?lines"), 1);
	assert_int_equal(count_lines(text, "smtp2-test["), 4);
	free(text);
	unlink(path);
}

/* test_reopen - a second open switches file and level; a bad one keeps the old */
static void
test_reopen(void **state)
{
	char a[256], b[256], to[300], why[256], *text;

	(void)state;
	tmp_path(a, sizeof(a), "a");
	tmp_path(b, sizeof(b), "b");
	snprintf(to, sizeof(to), "file:%s", a);
	assert_int_equal(smtp2d_log_open("t", to, SMTP2_LOG_ERR, why, sizeof(why)), 0);
	log_info("dropped");
	log_err("to a");
	snprintf(to, sizeof(to), "file:%s", b);
	assert_int_equal(smtp2d_log_open("t", to, SMTP2_LOG_DEBUG, why, sizeof(why)), 0);
	log_debug("to b");
	assert_int_equal(smtp2d_log_open("t", "file:/nonexistent/dir/x.log",
	    SMTP2_LOG_DEBUG, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cannot open log file /nonexistent/dir/x.log"));
	assert_int_equal(smtp2d_log_open("t", "/var/log/x", SMTP2_LOG_DEBUG, why,
	    sizeof(why)), -1);
	assert_non_null(strstr(why, "unknown log destination '/var/log/x'"));
	log_debug("still b");
	smtp2d_log_close();

	text = t_slurp(a, NULL);
	assert_int_equal(count_lines(text, "dropped"), 0);
	assert_int_equal(count_lines(text, "to a"), 1);
	assert_int_equal(count_lines(text, "to b"), 0);
	free(text);
	text = t_slurp(b, NULL);
	assert_int_equal(count_lines(text, "debug: to b"), 1);
	assert_int_equal(count_lines(text, "still b"), 1);
	free(text);
	unlink(a);
	unlink(b);
}

/* writer - one thread's share of test_threads */
static void *
writer(void *arg)
{
	int i, id = (int)(intptr_t)arg;

	for (i = 0; i < PER_THREAD; i++)
		log_info("thread=%d seq=%d padding=%0200d", id, i, 0);
	return NULL;
}

/* test_threads - lines from several threads never interleave */
static void
test_threads(void **state)
{
	pthread_t t[THREADS];
	char path[256], to[300], why[256], whole[256], *text;
	int i;

	(void)state;
	snprintf(whole, sizeof(whole), "padding=%0200d", 0);
	tmp_path(path, sizeof(path), "mt");
	snprintf(to, sizeof(to), "file:%s", path);
	assert_int_equal(smtp2d_log_open("t", to, SMTP2_LOG_INFO, why, sizeof(why)), 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	smtp2d_log_close();
	text = t_slurp(path, NULL);
	/* Every line whole: one prefix, the whole padding, nothing else. */
	assert_int_equal(count_lines(text, ""), THREADS * PER_THREAD);
	assert_int_equal(count_lines(text, "]: thread="), THREADS * PER_THREAD);
	assert_int_equal(count_lines(text, whole), THREADS * PER_THREAD);
	free(text);
	unlink(path);
}

/* test_limit - a call site may write LOG_LIMIT_BURST lines per window;
 * the next line written says how many were dropped */
static void
test_limit(void **state)
{
	static const char site_a[] = "a", site_b[] = "b";
	static const char many[3 * LOG_LIMIT_KEYS];
	unsigned long supp;
	int i;

	(void)state;
	smtp2d_log_limit_reset();
	for (i = 0; i < LOG_LIMIT_BURST; i++)
		assert_true(smtp2d_log_limit(site_a, 1000, &supp));
	assert_false(smtp2d_log_limit(site_a, 1001, &supp));
	assert_false(smtp2d_log_limit(site_a, 1002, &supp));
	/* Another site is not affected. */
	assert_true(smtp2d_log_limit(site_b, 1002, &supp));
	assert_int_equal(supp, 0);
	/* A new window: written again, with the count of the dropped. */
	assert_true(smtp2d_log_limit(site_a, 1000 + LOG_LIMIT_WINDOW, &supp));
	assert_int_equal(supp, 2);
	assert_true(smtp2d_log_limit(site_a, 1000 + LOG_LIMIT_WINDOW, &supp));
	assert_int_equal(supp, 0);
	/* More sites than slots: the idlest is forgotten, nothing breaks. */
	for (i = 0; i < 3 * LOG_LIMIT_KEYS; i++)
		assert_true(smtp2d_log_limit(&many[i], 2000 + i, &supp));
	smtp2d_log_limit_reset();
}

/* test_limit_file - a flood of one error writes a bounded number of lines */
static void
test_limit_file(void **state)
{
	char path[256], to[300], why[256], *text;
	int i;

	(void)state;
	smtp2d_log_limit_reset();
	tmp_path(path, sizeof(path), "lim");
	snprintf(to, sizeof(to), "file:%s", path);
	assert_int_equal(smtp2d_log_open("t", to, SMTP2_LOG_INFO, why, sizeof(why)), 0);
	for (i = 0; i < 1000; i++)
		log_err("bad client %d", i);
	for (i = 0; i < 20; i++)
		log_info("info lines are never limited %d", i);
	smtp2d_log_close();
	text = t_slurp(path, NULL);
	assert_int_equal(count_lines(text, "error: bad client"), LOG_LIMIT_BURST);
	assert_int_equal(count_lines(text, "info lines are never limited"), 20);
	free(text);
	unlink(path);
	smtp2d_log_limit_reset();
}

/* test_json - log.format = "json": one object per line, verdict fields */
static void
test_json(void **state)
{
	char buf[512], small[80];

	(void)state;
	smtp2d_log_json(buf, sizeof(buf), "info", "listening on \"x\"\x01\xc3");
	assert_string_equal(buf, "{\"level\":\"info\",\"msg\":\"listening on "
	    "\\\"x\\\"\\u0001\\u00c3\"}");
	smtp2d_log_json(buf, sizeof(buf), "info", "verdict stage=eom queue=- "
	    "domain=bank.test reason=\"pin \\\"3 1 1\\\" matched\" ms=3");
	assert_string_equal(buf, "{\"level\":\"info\",\"verdict\":{\"stage\":"
	    "\"eom\",\"queue\":\"-\",\"domain\":\"bank.test\",\"reason\":"
	    "\"pin \\\"3 1 1\\\" matched\",\"ms\":3}}");
	/* Cut short, still one closed object. */
	smtp2d_log_json(small, sizeof(small), "info", "verdict stage=eom "
	    "queue=ABCDEFGHIJ client=192.0.2.1:41234 sender=alice@bank.test ms=3");
	assert_string_equal(small, "{\"level\":\"info\",\"verdict\":{\"stage\":"
	    "\"eom\",\"queue\":\"ABCDEFGHIJ\"}}");
}

/* test_json_file - JSON lines through the file destination */
static void
test_json_file(void **state)
{
	char path[256], to[300], why[256], want[128], *text;

	(void)state;
	tmp_path(path, sizeof(path), "json");
	snprintf(to, sizeof(to), "file:%s", path);
	assert_int_equal(smtp2d_log_open("t", to, SMTP2_LOG_INFO, why, sizeof(why)), 0);
	smtp2d_log_json_lines(true);
	log_warn("careful");
	smtp2d_log_json_lines(false);
	log_info("text again");
	smtp2d_log_close();
	text = t_slurp(path, NULL);
	snprintf(want, sizeof(want), "{\"ident\":\"t\",\"pid\":%ld,\"level\":"
	    "\"warning\",\"msg\":\"careful\"}\n", (long)getpid());
	assert_non_null(strstr(text, want));
	assert_int_equal(count_lines(text, "]: text again"), 1);
	free(text);
	unlink(path);
}

/* A string and what smtp2d_log_quote must make of it in a buffer of size. */
struct quote_case {
	const char	*in;
	size_t		size;
	const char	*want;
};

/* test_quote - escaping, control characters, truncation, NULL */
static void
test_quote(void **state)
{
	static const struct quote_case cases[] = {
		{ "plain", 64, "plain" },
		{ "say \"hi\"", 64, "say \\\"hi\\\"" },
		{ "back\\slash", 64, "back\\\\slash" },
		{ "a\nb\rc\td\x7f", 64, "a?b?c?d?" },
		{ "b\xc3\xa4r", 64, "b\xc3\xa4r" },
		{ "abcdef", 4, "abc" },
		{ "ab\"cd", 4, "ab" },		/* no half escape */
		{ NULL, 8, "" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(smtp2d_log_quote(cases[i].in, buf, cases[i].size),
		    cases[i].want);
	assert_string_equal(smtp2d_log_quote("x", buf, 0), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_format),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_limit_file),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
