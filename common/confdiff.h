/*
 * confdiff.h - which changed settings a reload cannot apply.
 *
 * Sockets are bound and root is given up at start, and a few stores are
 * meant to outlive a reload (the policy connections' TLS facts, MTA-STS
 * policies already fetched): those settings take effect at the next
 * restart.  Everything else in milter.conf applies from the reload on.
 */
#ifndef SMTP2D_CONFDIFF_H
#define SMTP2D_CONFDIFF_H

#include <stddef.h>

#include <smtp2/conf.h>

/*
 * smtp2d_conf_restart_only - the restart-only settings that differ
 * between the running configuration and the next one, as a comma-
 * separated list in out ("" when none).  Returns how many differ.
 */
size_t	smtp2d_conf_restart_only(const struct smtp2_conf *run,
	    const struct smtp2_conf *next, char *out, size_t outlen);

#endif
