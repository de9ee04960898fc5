/* authres.c: not written yet */
