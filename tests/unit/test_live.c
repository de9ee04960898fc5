/*
 * test_live - configuration generations (live.h), what a reload may not
 * change (confdiff.h) and the reload itself (reload.h).
 */

/* System library. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Test library. */
#include <cmocka.h>

/* Utility library. */
#include "confdiff.h"
#include "live.h"
#include "log.h"
#include "reload.h"

/* Library. */
#include <smtp2/conf.h>
#include <smtp2/decide.h>

/* An object that counts its releases. */
struct obj {
	int	value;
	atomic_int *released;
};

static void
obj_release(void *arg)
{
	struct obj *o = arg;

	atomic_fetch_add(o->released, 1);
	free(o);
}

static struct obj *
obj_new(int value, atomic_int *released)
{
	struct obj *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	o->value = value;
	o->released = released;
	return o;
}

/* test_generations - hold, install, drop: released by the last holder */
static void
test_generations(void **state)
{
	atomic_int released = 0;
	struct smtp2d_live *l;
	struct smtp2d_gen *a, *b;

	(void)state;
	assert_non_null(l = smtp2d_live_new(obj_new(1, &released), obj_release));
	assert_int_equal(smtp2d_live_id(l), 1);
	a = smtp2d_live_hold(l);
	assert_int_equal(((struct obj *)smtp2d_gen_obj(a))->value, 1);
	assert_int_equal(smtp2d_gen_id(a), 1);

	assert_int_equal(smtp2d_live_install(l, obj_new(2, &released)), 2);
	assert_int_equal(smtp2d_live_id(l), 2);
	/* Generation 1 is still held: not released, still readable. */
	assert_int_equal(atomic_load(&released), 0);
	assert_int_equal(((struct obj *)smtp2d_gen_obj(a))->value, 1);
	b = smtp2d_live_hold(l);
	assert_int_equal(((struct obj *)smtp2d_gen_obj(b))->value, 2);
	smtp2d_gen_drop(a);
	assert_int_equal(atomic_load(&released), 1);

	/* Freeing the holder of the current one leaves b's to b. */
	smtp2d_live_free(l);
	assert_int_equal(atomic_load(&released), 1);
	smtp2d_gen_drop(b);
	assert_int_equal(atomic_load(&released), 2);
	smtp2d_gen_drop(NULL);
}

/* Many holders, one installer: every generation released exactly once. */
#define HOLDERS		4
#define INSTALLS	2000

struct race {
	struct smtp2d_live *l;
	atomic_int released;
	atomic_bool done;
};

static void *
holder(void *arg)
{
	struct race *r = arg;
	struct smtp2d_gen *g;
	unsigned long last = 0;

	while (!atomic_load(&r->done)) {
		g = smtp2d_live_hold(r->l);
		/* Never older than what this thread saw before. */
		assert_true(smtp2d_gen_id(g) >= last);
		last = smtp2d_gen_id(g);
		assert_int_equal(((struct obj *)smtp2d_gen_obj(g))->value,
		    (int)last);
		smtp2d_gen_drop(g);
	}
	return NULL;
}

static void
test_race(void **state)
{
	struct race r;
	pthread_t t[HOLDERS];

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_non_null(r.l = smtp2d_live_new(obj_new(1, &r.released),
	    obj_release));
	for (int i = 0; i < HOLDERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, holder, &r), 0);
	for (int i = 2; i <= INSTALLS; i++)
		assert_int_equal(smtp2d_live_install(r.l, obj_new(i,
		    &r.released)), (unsigned long)i);
	atomic_store(&r.done, true);
	for (int i = 0; i < HOLDERS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&r.released), INSTALLS - 1);
	smtp2d_live_free(r.l);
	assert_int_equal(atomic_load(&r.released), INSTALLS);
}

/*
 * Reloading a real file.
 */

struct files {
	char	dir[64];
	char	conf[96];
	char	log[96];
};

/* write_conf - milter.conf with the given mode, socket and extra line */
static void
write_conf(const struct files *f, const char *mode, const char *socket,
    const char *extra)
{
	FILE	*fp;

	assert_non_null(fp = fopen(f->conf, "w"));
	fprintf(fp, "dns = { resolvers = [ \"127.0.0.1:1\" ]; dnssec = \"off\"; };\n"
	    "policy = { mode = \"%s\"; authserv_id = \"mx.test\"; };\n"
	    "milter = { socket = \"%s\"; };\n"
	    "log = { to = \"file:%s\"; level = \"debug\"; };\n%s", mode, socket,
	    f->log, extra);
	fclose(fp);
}

/* log_has - does the log file contain s? */
static int
log_has(const struct files *f, const char *s)
{
	char	buf[16384];
	size_t	n;
	FILE	*fp;

	if ((fp = fopen(f->log, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strstr(buf, s) != NULL;
}

static bool fail_build;

/* build_conf - the generation is the configuration itself */
static void *
build_conf(struct smtp2_conf *c, void *arg, char *why, size_t whylen)
{
	(void)arg;
	if (fail_build) {
		snprintf(why, whylen, "verification set-up: no such CA file");
		return NULL;
	}
	return c;
}

static void
conf_release(void *c)
{
	smtp2_conf_free(c);
}

/* current_mode - the mode of the current generation */
static enum smtp2_mode
current_mode(struct smtp2d_live *l)
{
	struct smtp2d_gen *g = smtp2d_live_hold(l);
	enum smtp2_mode m = ((struct smtp2_conf *)smtp2d_gen_obj(g))->policy.mode;

	smtp2d_gen_drop(g);
	return m;
}

static void
test_reload(void **state)
{
	struct files f;
	struct smtp2_conf *boot, *first;
	struct smtp2d_live *l;
	struct smtp2d_reload r;
	char	why[512];

	(void)state;
	snprintf(f.dir, sizeof(f.dir), "/tmp/test_live.XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	snprintf(f.conf, sizeof(f.conf), "%s/milter.conf", f.dir);
	snprintf(f.log, sizeof(f.log), "%s/log", f.dir);
	write_conf(&f, "permissive", "inet:8891@127.0.0.1", "");
	assert_non_null(boot = smtp2_conf_load(f.conf, why, sizeof(why)));
	assert_non_null(first = smtp2_conf_load(f.conf, why, sizeof(why)));
	assert_int_equal(smtp2d_log_open("test_live", boot->log.to,
	    boot->log.level, why, sizeof(why)), 0);
	assert_non_null(l = smtp2d_live_new(first, conf_release));
	r = (struct smtp2d_reload){ .ident = "test_live", .path = f.conf,
	    .boot = boot, .live = l, .build = build_conf };

	/* The same file again: a new generation, said in the log. */
	assert_int_equal(smtp2d_reload(&r), 2);
	assert_true(log_has(&f, "reloaded "));
	assert_true(log_has(&f, "generation 2, mode permissive"));

	/* A bad line: refused with file:line, the running one stays. */
	write_conf(&f, "enforce", "inet:8891@127.0.0.1", "policy = 3;\n");
	assert_int_equal(smtp2d_reload(&r), 0);
	assert_int_equal(smtp2d_live_id(l), 2);
	assert_true(log_has(&f, "reload refused: "));
	assert_true(log_has(&f, "milter.conf:5:"));
	assert_true(log_has(&f, "the running configuration stays"));
	assert_int_equal(current_mode(l), SMTP2_MODE_PERMISSIVE);

	/* The build fails: refused too. */
	write_conf(&f, "enforce", "inet:8891@127.0.0.1", "");
	fail_build = true;
	assert_int_equal(smtp2d_reload(&r), 0);
	assert_true(log_has(&f, "reload refused: verification set-up: no such"));
	fail_build = false;

	/* A new mode applies; a new socket is reported, not applied. */
	write_conf(&f, "enforce", "unix:/run/other.sock", "");
	assert_int_equal(smtp2d_reload(&r), 3);
	assert_int_equal(current_mode(l), SMTP2_MODE_ENFORCE);
	assert_true(log_has(&f, "reload: milter.socket changed: applied at the "
	    "next restart"));

	smtp2d_live_free(l);
	smtp2d_log_close();
	smtp2_conf_free(boot);
	unlink(f.conf);
	unlink(f.log);
	rmdir(f.dir);
}

/* test_restart_only - every restart-only setting is named */
static void
test_restart_only(void **state)
{
	struct smtp2_conf *a, *b;
	char	*l1[] = { "unix:/a" }, *l2[] = { "unix:/b" };
	char	**saved_a, **saved_b, out[512];
	size_t	n_saved;

	(void)state;
	assert_non_null(a = smtp2_conf_defaults());
	assert_non_null(b = smtp2_conf_defaults());
	assert_int_equal(smtp2d_conf_restart_only(a, b, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	b->policy.mode = SMTP2_MODE_STRICT;	/* reloadable */
	b->dns.timeout_ms += 1;
	assert_int_equal(smtp2d_conf_restart_only(a, b, out, sizeof(out)), 0);

	saved_a = a->policyd.listen;
	saved_b = b->policyd.listen;
	n_saved = a->policyd.n_listen;
	a->policyd.listen = l1;
	a->policyd.n_listen = 1;
	b->policyd.listen = l2;
	b->policyd.n_listen = 1;
	b->policyd.session_ttl += 1;
	b->daemon.allow_root = !a->daemon.allow_root;
	assert_int_equal(smtp2d_conf_restart_only(a, b, out, sizeof(out)), 3);
	assert_string_equal(out, "policyd.listen, policyd.session_ttl, daemon.*");
	/* A short buffer truncates the list, never the count. */
	assert_int_equal(smtp2d_conf_restart_only(a, b, out, 10), 3);
	assert_int_equal(strlen(out), 9);
	a->policyd.listen = saved_a;
	b->policyd.listen = saved_b;
	a->policyd.n_listen = b->policyd.n_listen = n_saved;
	smtp2_conf_free(a);
	smtp2_conf_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_restart_only),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
