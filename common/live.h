/*
 * live.h - a daemon's running configuration, swapped whole on reload.
 *
 * A reload builds a complete new object off to the side and installs it
 * in one step.  Whoever serves a connection holds the generation it
 * started with and lets go of it when done, so no request ever sees half
 * of one configuration and half of another, and the old object is
 * released by the last holder, not by the reload.
 */
#ifndef SMTP2D_LIVE_H
#define SMTP2D_LIVE_H

struct smtp2d_live;		/* the current generation */
struct smtp2d_gen;		/* one generation: an object and its holders */

/* How a generation's object is released; NULL: it is not owned. */
typedef void smtp2d_live_release_fn(void *obj);

/*
 * smtp2d_live_new - generation 1 is obj.  NULL when out of memory (obj
 * is then not taken).  Caller frees with smtp2d_live_free().
 */
struct smtp2d_live *smtp2d_live_new(void *obj, smtp2d_live_release_fn *release);

/*
 * smtp2d_live_install - obj becomes the current generation; the previous
 * one is released when its last holder drops it.  Returns the new
 * generation number, or 0 when out of memory (obj not taken).
 */
unsigned long smtp2d_live_install(struct smtp2d_live *l, void *obj);

/* smtp2d_live_id - the current generation number, without a lock: cheap
 * enough to ask before every request whether a reload happened. */
unsigned long smtp2d_live_id(const struct smtp2d_live *l);

/* smtp2d_live_hold - the current generation, held until smtp2d_gen_drop(). */
struct smtp2d_gen *smtp2d_live_hold(struct smtp2d_live *l);

/* smtp2d_gen_drop - let go of g (NULL is fine). */
void	smtp2d_gen_drop(struct smtp2d_gen *g);

/* smtp2d_gen_obj, smtp2d_gen_id - what g holds, and its number. */
void	*smtp2d_gen_obj(const struct smtp2d_gen *g);
unsigned long smtp2d_gen_id(const struct smtp2d_gen *g);

/*
 * smtp2d_live_free - drop the current generation and free l.  Holders
 * still running keep theirs; it is released when they drop it.
 */
void	smtp2d_live_free(struct smtp2d_live *l);

#endif
