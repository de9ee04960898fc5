/* dns_cache.c: not written yet */
