/* result.c: not written yet */
