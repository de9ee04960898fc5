/* request.c: not written yet */
