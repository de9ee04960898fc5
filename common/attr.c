/* attr.c: not written yet */
