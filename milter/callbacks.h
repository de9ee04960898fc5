/*
 * callbacks.h - the libmilter filter "smtp2-milter".
 */
#ifndef SMTP2_MILTER_CALLBACKS_H
#define SMTP2_MILTER_CALLBACKS_H

#include <smtp2/conf.h>
#include <smtp2/dns.h>

/*
 * callbacks_register - hand the filter to libmilter (smfi_register).  conf
 * (read-only from here on) and cache (may be NULL: no caching) are the
 * only state the callbacks share; both must outlive smfi_main().
 * Returns 0, or -1 when libmilter refuses the description.
 */
int callbacks_register(const struct smtp2_conf *conf,
    struct smtp2_dns_cache *cache);

#endif
