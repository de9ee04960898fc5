/* smtp2-check.c: not written yet */
int main(void) { return 1; }
