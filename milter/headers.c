/* headers.c: not written yet */
