/* dns.c: not written yet */
