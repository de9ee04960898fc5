/* callbacks.c: not written yet */
