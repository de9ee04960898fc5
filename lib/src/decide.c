/* decide.c: not written yet */
