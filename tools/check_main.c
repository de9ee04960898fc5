/*
 * smtp2-check - tell an administrator what smtp2 concludes, before a mode
 * is switched on.  It reads the daemons' milter.conf and calls the same
 * library functions, so its answer is the daemons' answer.
 *
 *   smtp2-check [-c FILE] [--json] record 'v=SMTP2v1; p=enforce'
 *   smtp2-check [-c FILE] [--json] domain DOMAIN [--port N]
 *                                   [--cert C [--key K]] [--mx HOST]
 *                                   [--fetch-ocsp]
 *   smtp2-check [-c FILE] [--json] cert CHAIN.pem --domain DOMAIN
 *                                   [--ocsp RESP.der | --fetch-ocsp] [--offline]
 *   smtp2-check [-c FILE] [--json] message FILE.eml [--now EPOCH]
 *   smtp2-check [-c FILE] [--json] metrics [ADDR|URL]
 *
 * Exit: 0 would pass (or the record is valid, or the metrics were read),
 * 1 problems found or would not pass, 2 could not check.  docs/smtp2-check.md has the details.
 */

/* System library. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Application-specific. */
#include "check.h"
#include "check_message.h"
#include "daemon.h"

/* usage - print how to call us; returns status */
static int
usage(FILE *out, int status)
{
	fprintf(out,
	    "usage: smtp2-check [-c FILE] [--json] record 'v=SMTP2v1; p=enforce'\n"
	    "       smtp2-check [-c FILE] [--json] domain DOMAIN [--port N]\n"
	    "                   [--cert CERT.pem [--key KEY.pem]] [--mx HOST]\n"
	    "                   [--fetch-ocsp]\n"
	    "       smtp2-check [-c FILE] [--json] cert CHAIN.pem --domain DOMAIN\n"
	    "                   [--ocsp RESP.der | --fetch-ocsp] [--offline]\n"
	    "       smtp2-check [-c FILE] [--json] message FILE.eml [--now EPOCH]\n"
	    "       smtp2-check [-c FILE] [--json] metrics [ADDR|URL]\n"
	    "       smtp2-check [-c FILE] -t | -V | -h\n"
	    "  -c FILE  configuration file (default %s)\n"
	    "  -t       check the configuration, print \"configuration OK\", exit\n"
	    "  --json   print one JSON object instead of text\n"
	    "  --fetch-ocsp  no OCSP response stapled or given: ask the "
	    "certificate's responder\n"
	    "exit: 0 would pass, 1 problems found or would not pass, "
	    "2 could not check\n", SMTP2_DEFAULT_CONF);
	return status;
}

/* main_common - the options before the subcommand: --json is ours, the
 * rest goes to the parser every smtp2 program shares.  Returns the index
 * of the subcommand, or -1 (exit with *status). */
static int
main_common(int argc, char **argv, struct check_ctx *ctx,
    struct smtp2d_args *args, int *status)
{
	char **common;
	int sub, nc = 0, ret;

	if ((common = calloc((size_t)argc + 1, sizeof(*common))) == NULL) {
		fprintf(stderr, "smtp2-check: out of memory\n");
		*status = CHECK_EXIT_UNCHECKED;
		return -1;
	}
	common[nc++] = argv[0];
	for (sub = 1; sub < argc && argv[sub][0] == '-'; sub++) {
		if (strcmp(argv[sub], "--json") == 0) {
			ctx->json = true;
			continue;
		}
		if (strcmp(argv[sub], "-h") == 0 || strcmp(argv[sub], "--help") == 0) {
			free(common);
			*status = usage(stdout, 0);
			return -1;
		}
		common[nc++] = argv[sub];
		if ((strcmp(argv[sub], "-c") == 0 || strcmp(argv[sub], "-p") == 0) &&
		    sub + 1 < argc)
			common[nc++] = argv[++sub];
	}
	ret = smtp2d_args_parse(nc, common, "smtp2-check", args);
	free(common);
	if (ret != 0) {
		*status = ret == 1 ? 0 : usage(stderr, CHECK_EXIT_UNCHECKED);
		return -1;
	}
	return sub;
}

/* main_run - load milter.conf (not needed to lint a record; metrics
 * reads it itself when it needs an address) and run */
static int
main_run(struct check_ctx *ctx, const struct smtp2d_args *args, int argc,
    char **argv)
{
	struct smtp2_conf *conf;
	int status;

	if (strcmp(argv[0], "record") == 0)
		return check_record_command(ctx, argc, argv);
	if (strcmp(argv[0], "metrics") == 0)
		return check_metrics_command(ctx, args, argc, argv);
	if (strcmp(argv[0], "domain") != 0 && strcmp(argv[0], "cert") != 0
	    && strcmp(argv[0], "message") != 0) {
		fprintf(stderr, "smtp2-check: unknown command '%s'\n", argv[0]);
		return -1;
	}
	if ((conf = smtp2d_load_conf(args, &status)) == NULL)
		return CHECK_EXIT_UNCHECKED;
	ctx->conf = conf;
	if (strcmp(argv[0], "domain") == 0)
		status = check_domain_command(ctx, argc, argv);
	else if (strcmp(argv[0], "message") == 0)
		status = check_message_command(ctx, argc, argv);
	else
		status = check_cert_command(ctx, argc, argv);
	check_setup_close(ctx);
	smtp2_dns_free(ctx->dns);
	ctx->dns = NULL;
	smtp2_conf_free(conf);
	return status;
}

int
main(int argc, char **argv)
{
	struct check_ctx ctx;
	struct smtp2d_args args;
	struct smtp2_conf *conf;
	int sub, status;

	/* A server that hangs up mid-write must not kill us: EPIPE will do. */
	signal(SIGPIPE, SIG_IGN);
	memset(&ctx, 0, sizeof(ctx));
	if ((sub = main_common(argc, argv, &ctx, &args, &status)) < 0)
		return status;
	if (args.check_only) {
		conf = smtp2d_load_conf(&args, &status);
		smtp2_conf_free(conf);
		return status;
	}
	if (sub >= argc)
		return usage(stderr, CHECK_EXIT_UNCHECKED);
	status = main_run(&ctx, &args, argc - sub, argv + sub);
	return status < 0 ? usage(stderr, CHECK_EXIT_UNCHECKED) : status;
}
