/*
 * callbacks.h - the libmilter filter "smtp2-milter".
 */
#ifndef SMTP2_MILTER_CALLBACKS_H
#define SMTP2_MILTER_CALLBACKS_H

#include "live.h"

/*
 * callbacks_register - hand the filter to libmilter (smfi_register).  live
 * (generations of struct milter_run, run.h) is where every new
 * connection finds its configuration; it must outlive smfi_main().
 * Returns 0, or -1 when libmilter refuses the description.
 */
int callbacks_register(struct smtp2d_live *live);

/* callbacks_active - connections being served right now. */
unsigned callbacks_active(void);

/* callbacks_busy - messages between MAIL FROM and their end right now:
 * what a stop waits for (an idle connection needs no waiting for). */
unsigned callbacks_busy(void);

/* callbacks_stopping - turn new connections away from now on (421). */
void callbacks_stopping(void);

#endif
