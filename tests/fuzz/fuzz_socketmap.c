/*
 * fuzz_socketmap.c - the socketmap codec on any bytes, as a stream.
 *
 * The input is what a client wrote on one connection: netstrings are cut
 * off its front as smtp2-policyd cuts them, each payload is split into
 * map name and key, and a reply is written with the payload as its text.
 * Checked: frames stay inside the input, a reply is always a netstring
 * that frames back to itself and holds no control byte.
 */

/* System library. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "socketmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_reply - a reply made of text must frame back to itself */
static void
fuzz_reply(const char *text, size_t outlen)
{
	static char out[SOCKETMAP_REQUEST_MAX + 64];
	struct socketmap_frame f;
	size_t	n, i;

	n = socketmap_reply("TEMP", text, out, outlen);
	if (n == 0)
		return;
	if (n >= outlen || out[n] != '\0')
		abort();
	if (socketmap_frame(out, n, SOCKETMAP_REQUEST_MAX + 8, &f, NULL, 0) !=
	    SOCKETMAP_OK || f.used != n || f.len != 5 + strlen(text))
		abort();
	for (i = f.off; i < f.off + f.len; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[SOCKETMAP_REQUEST_MAX + 1];
	const char *buf = (const char *)data;
	struct socketmap_frame f;
	struct socketmap_request r;
	enum socketmap_status st;
	char	why[120];

	while (size > 0) {
		st = socketmap_frame(buf, size, SOCKETMAP_REQUEST_MAX, &f, why,
		    sizeof(why));
		if (st != SOCKETMAP_OK)
			break;
		if (f.used > size || f.off + f.len >= f.used ||
		    f.len > SOCKETMAP_REQUEST_MAX || buf[f.used - 1] != ',')
			abort();
		if (socketmap_request(buf + f.off, f.len, &r, why,
		    sizeof(why)) == 0) {
			if (r.name_len == 0 || r.key_len == 0 ||
			    r.name_len + 1 + r.key_len != f.len ||
			    memchr(r.name, ' ', r.name_len) != NULL)
				abort();
		}
		/* NUL bytes end the text early, as they would in a reply. */
		memcpy(text, buf + f.off, f.len);
		text[f.len] = '\0';
		fuzz_reply(text, f.len % 2 ? sizeof(text) + 32 : 16 + f.len / 2);
		buf += f.used;
		size -= f.used;
	}
	return 0;
}
