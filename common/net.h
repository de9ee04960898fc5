/*
 * net.h - listening and connecting on "inet:HOST:PORT" and "unix:PATH".
 *
 * (libmilter's own "inet:PORT@HOST" form is handed to libmilter untouched.)
 */
#ifndef SMTP2D_NET_H
#define SMTP2D_NET_H

#include <stddef.h>

/* smtp2d_listen - bind and listen; a stale unix socket is replaced.
 * Returns the fd, or -1 with why. */
int smtp2d_listen(const char *spec, char *why, size_t whylen);

/* smtp2d_connect - connect within timeout_ms; TCP_NODELAY on inet.
 * Returns the fd, or -1 with why. */
int smtp2d_connect(const char *spec, unsigned timeout_ms, char *why, size_t whylen);

/* smtp2d_spec_check - syntax check only, for configuration errors. */
int smtp2d_spec_check(const char *spec, char *why, size_t whylen);

#endif
