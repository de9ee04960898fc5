/*
 * log_limit.c - per-call-site token windows for error and warning lines
 * (log_limit.h).
 *
 * A fixed table, no allocation: a key seen for the first time takes a
 * free slot or the one idle longest.  Losing an idle key's state costs at
 * most one more burst of lines, never a lost count of a busy one.
 */

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

/* Application-specific. */
#include "log_limit.h"

struct limit_slot {
	const void	*key;
	time_t		window;		/* start of the current window */
	time_t		last;		/* last time the key was seen */
	unsigned	written;	/* lines written in this window */
	unsigned long	dropped;	/* lines dropped since the last written */
};

static struct limit_slot slots[LOG_LIMIT_KEYS];

/* limit_slot_of - key's slot, or a fresh one in place of the idlest */
static struct limit_slot *
limit_slot_of(const void *key, time_t now)
{
	struct limit_slot *idle = &slots[0];
	size_t	i;

	for (i = 0; i < LOG_LIMIT_KEYS; i++) {
		if (slots[i].key == key)
			return &slots[i];
		if (slots[i].key == NULL || slots[i].last < idle->last)
			idle = &slots[i];
		if (slots[i].key == NULL)
			break;
	}
	memset(idle, 0, sizeof(*idle));
	idle->key = key;
	idle->window = now;
	return idle;
}

/* smtp2d_log_limit - see log_limit.h */
bool
smtp2d_log_limit(const void *key, time_t now, unsigned long *suppressed)
{
	struct limit_slot *s = limit_slot_of(key, now);

	s->last = now;
	*suppressed = 0;
	if (now - s->window >= LOG_LIMIT_WINDOW || now < s->window) {
		s->window = now;	/* a new window (or the clock went back) */
		s->written = 0;
	}
	if (s->written >= LOG_LIMIT_BURST) {
		s->dropped++;
		return false;
	}
	s->written++;
	*suppressed = s->dropped;
	s->dropped = 0;
	return true;
}

/* smtp2d_log_limit_reset - see log_limit.h */
void
smtp2d_log_limit_reset(void)
{
	memset(slots, 0, sizeof(slots));
}
