/*
 * test_privdrop.c - the decisions of common/privdrop.c: who to become,
 * when to refuse.  The set*id calls themselves need root and a spare
 * user: tests/integration/t_privdrop.sh covers them.
 */

/* System library. */
#include <pwd.h>
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

/* Application-specific. */
#include <smtp2/conf.h>
#include "privdrop.h"

struct setup_case {
	const char	*name;
	const char	*user;		/* daemon.user; NULL: unset */
	const char	*group;		/* daemon.group; NULL: unset */
	bool		allow_root;
	uid_t		euid;
	int		want_rc;
	bool		want_drop;
	const char	*want_why;	/* exact reason when want_rc < 0 */
};

static const struct setup_case setup_cases[] = {
	{ "not root: run as is", "smtp2-no-such-user", NULL, false, 1000,
	    0, false, NULL },
	{ "root, no user: refused", NULL, NULL, false, 0, -1, false,
	    "started as root without daemon.user: refusing to run as root"
	    " (set daemon.user, or start as the user)" },
	{ "root, no user, allow_root", NULL, NULL, true, 0, 0, false, NULL },
	{ "root as target: refused", "root", NULL, false, 0, -1, false,
	    "daemon.user: root has uid 0: refusing to run as root" },
	{ "root as target despite allow_root", "root", NULL, true, 0, -1, false,
	    "daemon.user: root has uid 0: refusing to run as root" },
	{ "unknown user", "smtp2-no-such-user", NULL, false, 0, -1, false,
	    "daemon.user: smtp2-no-such-user: no such user" },
	{ "unknown group", "nobody", "smtp2-no-such-group", false, 0, -1, false,
	    "daemon.group: smtp2-no-such-group: no such group" },
	{ "nobody", "nobody", NULL, false, 0, 0, true, NULL },
};

/* conf_with - defaults plus the daemon group of tc */
static struct smtp2_conf *
conf_with(const struct setup_case *tc)
{
	struct smtp2_conf *c = smtp2_conf_defaults();

	assert_non_null(c);
	c->daemon.user = tc->user ? strdup(tc->user) : NULL;
	c->daemon.group = tc->group ? strdup(tc->group) : NULL;
	c->daemon.allow_root = tc->allow_root;
	return c;
}

/* test_setup - every case decides and explains as the table says */
static void
test_setup(void **state)
{
	const struct setup_case *tc;
	struct smtp2d_priv p;
	struct smtp2_conf *c;
	char why[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(setup_cases) / sizeof(setup_cases[0]); i++) {
		tc = &setup_cases[i];
		print_message("case: %s\n", tc->name);
		c = conf_with(tc);
		why[0] = '\0';
		assert_int_equal(smtp2d_priv_setup(&p, c, tc->euid, why,
		    sizeof(why)), tc->want_rc);
		assert_int_equal(p.drop, tc->want_drop);
		if (tc->want_why != NULL)
			assert_string_equal(why, tc->want_why);
		smtp2_conf_free(c);
	}
}

/* test_setup_ids - the user's uid and primary gid, or the named group */
static void
test_setup_ids(void **state)
{
	struct setup_case tc = { "ids", "nobody", NULL, false, 0, 0, true, NULL };
	const struct passwd *pw = getpwnam("nobody");
	struct smtp2d_priv p;
	struct smtp2_conf *c;
	char why[256];

	(void)state;
	assert_non_null(pw);
	c = conf_with(&tc);
	assert_int_equal(smtp2d_priv_setup(&p, c, 0, why, sizeof(why)), 0);
	assert_int_equal(p.uid, pw->pw_uid);
	assert_int_equal(p.gid, pw->pw_gid);
	assert_string_equal(p.user, "nobody");
	smtp2_conf_free(c);
	tc.group = "root";	/* any group that exists everywhere */
	c = conf_with(&tc);
	assert_int_equal(smtp2d_priv_setup(&p, c, 0, why, sizeof(why)), 0);
	assert_int_equal(p.gid, 0);
	assert_string_equal(p.group, "root");
	smtp2_conf_free(c);
}

/* test_own - inet specs are skipped, a missing socket file is an error */
static void
test_own(void **state)
{
	const char *specs[] = { "inet:127.0.0.1:10040", "inet:[::1]:10040" };
	const char *missing[] = { "unix:/nonexistent/smtp2/policyd.sock" };
	struct smtp2d_priv p = { .drop = true, .uid = 65534, .gid = 65534,
	    .user = "nobody" };
	struct smtp2d_priv none = { .drop = false };
	char why[256];

	(void)state;
	assert_int_equal(smtp2d_priv_own(&p, specs, 2, why, sizeof(why)), 0);
	assert_int_equal(smtp2d_priv_own(&none, missing, 1, why, sizeof(why)), 0);
	assert_int_equal(smtp2d_priv_own(&p, missing, 1, why, sizeof(why)), -1);
	assert_string_equal(why, "chown /nonexistent/smtp2/policyd.sock to nobody:"
	    " No such file or directory");
	/* Nothing to drop: not even a set*id call. */
	assert_int_equal(smtp2d_priv_drop(&none, why, sizeof(why)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setup),
		cmocka_unit_test(test_setup_ids),
		cmocka_unit_test(test_own),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
