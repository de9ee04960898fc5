/*
 * log_json.h - log lines as JSON objects, one per line, for SIEMs
 * (milter.conf log.format = "json", docs/logging.md).
 *
 *   {"level":"info","msg":"listening on ..."}
 *   {"level":"info","verdict":{"stage":"eom","queue":"4B58FA8A640",...,"ms":3}}
 *
 * A verdict line's key=value fields become members of "verdict" (the same
 * names as in the text line, docs/logs.md); "ms" is a number, the rest
 * strings.  Bytes outside printable ASCII are escaped, so the output is
 * valid JSON whatever a client put into an address.
 */
#ifndef SMTP2D_LOG_JSON_H
#define SMTP2D_LOG_JSON_H

#include <stddef.h>

/*
 * smtp2d_log_json - msg (one log line, no newline) as a JSON object
 * into buf.  Returns the length written; when buf is too short the line
 * is cut at a field boundary and still closed, so it always parses.
 * len must be at least 64.
 */
size_t	smtp2d_log_json(char *buf, size_t len, const char *level, const char *msg);

#endif
