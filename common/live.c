/*
 * live.c - reference-counted configuration generations (live.h).
 *
 * The count is atomic so a holder can drop without the lock; the lock
 * only makes "read the current pointer, count one more" a single step,
 * so an install cannot release a generation between the two.
 */

/* System library. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

/* Application-specific. */
#include "live.h"

struct smtp2d_gen {
	atomic_uint	refs;		/* holders, plus one while current */
	unsigned long	id;
	void		*obj;
	smtp2d_live_release_fn *release;
};

struct smtp2d_live {
	pthread_mutex_t	lock;
	struct smtp2d_gen *cur;
	atomic_ulong	id;		/* cur->id, readable without the lock */
};

/* gen_new - a generation held once (by being current) */
static struct smtp2d_gen *
gen_new(void *obj, smtp2d_live_release_fn *release, unsigned long id)
{
	struct smtp2d_gen *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	atomic_init(&g->refs, 1);
	g->id = id;
	g->obj = obj;
	g->release = release;
	return g;
}

/* smtp2d_live_new - see live.h */
struct smtp2d_live *
smtp2d_live_new(void *obj, smtp2d_live_release_fn *release)
{
	struct smtp2d_live *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->cur = gen_new(obj, release, 1)) == NULL) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->lock, NULL);
	atomic_init(&l->id, 1);
	return l;
}

/* smtp2d_live_install - see live.h */
unsigned long
smtp2d_live_install(struct smtp2d_live *l, void *obj)
{
	struct smtp2d_gen *g, *old;

	pthread_mutex_lock(&l->lock);
	if ((g = gen_new(obj, l->cur->release, l->cur->id + 1)) == NULL) {
		pthread_mutex_unlock(&l->lock);
		return 0;
	}
	old = l->cur;
	l->cur = g;
	atomic_store(&l->id, g->id);
	pthread_mutex_unlock(&l->lock);
	smtp2d_gen_drop(old);
	return g->id;
}

/* smtp2d_live_id - see live.h */
unsigned long
smtp2d_live_id(const struct smtp2d_live *l)
{
	return atomic_load(&l->id);
}

/* smtp2d_live_hold - see live.h */
struct smtp2d_gen *
smtp2d_live_hold(struct smtp2d_live *l)
{
	struct smtp2d_gen *g;

	pthread_mutex_lock(&l->lock);
	g = l->cur;
	atomic_fetch_add(&g->refs, 1);
	pthread_mutex_unlock(&l->lock);
	return g;
}

/* smtp2d_gen_drop - see live.h */
void
smtp2d_gen_drop(struct smtp2d_gen *g)
{
	if (g == NULL || atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	if (g->release != NULL)
		g->release(g->obj);
	free(g);
}

/* smtp2d_gen_obj - see live.h */
void *
smtp2d_gen_obj(const struct smtp2d_gen *g)
{
	return g->obj;
}

/* smtp2d_gen_id - see live.h */
unsigned long
smtp2d_gen_id(const struct smtp2d_gen *g)
{
	return g->id;
}

/* smtp2d_live_free - see live.h */
void
smtp2d_live_free(struct smtp2d_live *l)
{
	if (l == NULL)
		return;
	smtp2d_gen_drop(l->cur);
	pthread_mutex_destroy(&l->lock);
	free(l);
}
