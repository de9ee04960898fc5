/*
 * check_message.h - "smtp2-check message FILE.eml": what the command
 * collects (check_message.c) and the two ways it is printed
 * (check_message_report.c).
 */
#ifndef CHECK_MESSAGE_H
#define CHECK_MESSAGE_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Library. */
#include <smtp2/dkim_verify.h>
#include <smtp2/practices.h>

#define CHECK_MSG_SIGS_MAX	SMTP2_DKIMV_SIGS_MAX

struct check_ctx;

/* Everything found in one message file. */
struct check_msg {
	const char	*path;
	time_t		now;		/* --now, 0: the clock */
	bool		failed;		/* could not check: why says why */
	char		why[320];
	size_t		body_bytes;
	unsigned	n_from;
	bool		from_ok;
	char		from_domain[256];
	char		from_why[256];
	bool		has_spf;	/* a trusted upstream spf= was found */
	struct smtp2_spf_upstream spf;
	size_t		n_sigs;
	struct smtp2_dkimv_sig sigs[CHECK_MSG_SIGS_MAX];
	bool		judged;		/* dmarc and adsp are filled */
	struct smtp2_dmarc_eval dmarc;
	struct smtp2_adsp_eval adsp;
	char		authres[8192];	/* what the milter would stamp */
};

/* check_message_command - argv[0] is "message"; exit status, or -1 for
 * a usage error. */
int	check_message_command(struct check_ctx *ctx, int argc, char **argv);

/* check_message_run - verify and judge m->path; the exit status. */
int	check_message_run(struct check_ctx *ctx, struct check_msg *m);

/* check_msg_fail - remember why the message could not be checked; -1 */
int	check_msg_fail(struct check_msg *m, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* The findings as text on stdout, or as one JSON object. */
void	check_message_report(const struct check_msg *m, int status);
void	check_message_report_json(const struct check_msg *m, int status);

#endif
