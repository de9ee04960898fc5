/* tlsa.c: not written yet */
