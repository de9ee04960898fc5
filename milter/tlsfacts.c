/* tlsfacts.c: not written yet */
