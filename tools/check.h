/*
 * check.h - what the parts of smtp2-check share: exit statuses, the run's
 * context, and the findings each subcommand collects before the reporters
 * (check_report.c as text, check_report_json.c as JSON) print them.
 *
 * Collect first, print after: the two output forms then cannot disagree,
 * and nothing is printed half-way when a later step fails.
 */
#ifndef CHECK_H
#define CHECK_H

/* System library. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Library. */
#include <smtp2/smtp2.h>
#include <smtp2/cert.h>
#include <smtp2/dane.h>

#define CHECK_EXIT_PASS		0	/* would pass (record: valid) */
#define CHECK_EXIT_PROBLEM	1	/* problems found, or would not pass */
#define CHECK_EXIT_UNCHECKED	2	/* could not check: usage, DNS, network */

#define CHECK_JSON_VERSION	1	/* "smtp2_check" in every JSON document */

#define CHECK_MX_MAX		5	/* MX hosts probed */
#define CHECK_ADDR_MAX		2	/* addresses probed per MX host */
#define CHECK_PROBES_MAX	(CHECK_MX_MAX * CHECK_ADDR_MAX)
#define CHECK_TLSA_MAX		16	/* TLSA records kept per set */
#define CHECK_TXT_MAX		4	/* TXT strings kept at _smtp2.<domain> */
#define CHECK_TXT_LEN		512
#define CHECK_NOTES_MAX		24
#define CHECK_NAMES_MAX		8	/* subjectAltNames kept per certificate */
#define CHECK_NAME_MAX		256	/* a host name and its NUL */
#define CHECK_OWNER_MAX		(CHECK_NAME_MAX + 16)	/* "_25._tcp." + host */
#define CHECK_N_MODES		4

/* The run: the configuration and what is built from it once. */
struct check_ctx {
	const struct smtp2_conf *conf;
	bool	json;
	bool	fetch_ocsp;		/* --fetch-ocsp: ask the leaf's responder */
	struct smtp2_dns *dns;		/* NULL until check_dns_open() */
	/* Verification as the daemons set it up from milter.conf, CA stores
	 * included; when that fails (a CA file unreadable) setup is NULL,
	 * setup_why says why and only dns.dnssec applies (fallback). */
	struct smtp2_verify_setup *setup;
	const struct smtp2_verify_opts *vopts;	/* setup's, or &fallback */
	struct smtp2_verify_opts fallback;
	char	setup_why[320];
};

enum check_level {
	CHECK_INFO = 0,			/* worth knowing */
	CHECK_WARNING,			/* works, but fix it */
	CHECK_PROBLEM			/* makes the exit status 1 */
};

struct check_note {
	enum check_level level;
	char	text[320];
};

struct check_notes {
	size_t	n;
	struct check_note note[CHECK_NOTES_MAX];
};

/* One DNS lookup as the reports show it. */
struct check_lookup {
	char	name[CHECK_OWNER_MAX];
	const char *type;		/* "TXT", "TLSA", "MX", "A", "AAAA" */
	bool	done;
	enum smtp2_dns_status status;
	enum smtp2_dnssec dnssec;
	char	why[160];
};

/* The _smtp2 record: its TXT strings and what a receiver makes of them. */
struct check_record {
	struct check_lookup lookup;	/* not done for "record TEXT" */
	size_t	n_txt;
	char	txt[CHECK_TXT_MAX][CHECK_TXT_LEN];
	size_t	txt_len[CHECK_TXT_MAX];	/* NUL bytes may hide inside */
	enum smtp2_record_status status;
	char	why[256];
	struct smtp2_record rec;	/* valid when status is OK */
	struct check_notes lint;
};

/* A TLSA set; rr[].data points into answer. */
struct check_tlsa {
	struct check_lookup lookup;
	struct smtp2_dns_answer *answer;	/* owned: check_tlsa_free() */
	size_t	n;
	struct smtp2_tlsa rr[CHECK_TLSA_MAX];
	size_t	n_malformed;		/* records smtp2_tlsa_parse() refused */
};

struct check_addr {
	int	family;			/* AF_INET, AF_INET6 */
	unsigned char raw[16];
	char	text[46];
};

struct check_host {
	char	name[CHECK_NAME_MAX];
	unsigned pref;
	struct check_lookup a, aaaa;
	size_t	n_addr;			/* kept (at most CHECK_ADDR_MAX) */
	size_t	n_found;		/* in DNS */
	struct check_addr addr[CHECK_ADDR_MAX];
	struct check_tlsa tlsa25;	/* _25._tcp.<host> (RFC 7672) */
};

struct check_mx {
	struct check_lookup lookup;
	bool	implicit;		/* no MX: the domain itself (RFC 5321 5.1) */
	bool	null_mx;		/* "0 ." (RFC 7505): takes no mail */
	size_t	n;			/* kept (at most CHECK_MX_MAX) */
	size_t	n_found;
	struct check_host host[CHECK_MX_MAX];
};

/* A certificate chain as smtp2 sees it. */
struct check_certinfo {
	size_t	chain_len;
	char	subject[256];
	char	issuer[256];
	size_t	n_names;		/* dNSName SANs kept */
	size_t	n_names_found;
	char	names[CHECK_NAMES_MAX][CHECK_NAME_MAX];
	char	key_type[32];		/* "RSA", "EC P-256", "Ed25519" */
	int	key_bits;
	char	sig_alg[64];
	char	not_before[32];		/* "2026-05-01T12:00:00Z" */
	char	not_after[32];
	bool	self_signed;
	char	spki_sha256[2 * SMTP2_SHA256_LEN + 1];	/* TLSA x 1 1 */
	char	cert_sha256[2 * SMTP2_SHA256_LEN + 1];	/* TLSA x 0 1 */
	char	pkix_name[CHECK_NAME_MAX];	/* the name PKIX checked */
	bool	pkix_checked;		/* false: no CA store (ctx->setup_why) */
	struct smtp2_cert_result pkix;
	const char *ocsp_from;		/* "stapled", "fetched", "file", "none" */
};

/* A TLSA set judged against a chain. */
struct check_dane {
	const char *label;		/* "smtp" (_25._tcp.<mx>) or "smtp2" */
	const struct check_tlsa *set;
	bool	judged;			/* the set had records to judge */
	enum smtp2_pin_status status;
	unsigned unevaluated;
	bool	secure;			/* the set is DNSSEC-secure */
	char	why[256];
};

/* What smtp2 would conclude, and what each mode would then do. */
struct check_verdict {
	bool	done;
	struct smtp2_verdict v;
	struct smtp2_decision decision[CHECK_N_MODES];
};

enum check_stage {
	CHECK_STAGE_CONNECT = 0,
	CHECK_STAGE_BANNER,
	CHECK_STAGE_EHLO,
	CHECK_STAGE_STARTTLS,
	CHECK_STAGE_HANDSHAKE,
	CHECK_STAGE_DONE		/* TLS up, chain fetched */
};

/* One MX address probed. */
struct check_probe {
	const struct check_host *host;
	const struct check_addr *addr;
	unsigned port;
	enum check_stage stage;		/* reached; DONE when all went well */
	char	error[320];		/* why the next stage failed */
	char	banner[256];
	bool	starttls;		/* offered in the EHLO reply */
	char	tls_version[32];
	char	cipher[96];
	int	cipher_bits;
	bool	have_cert;
	struct check_certinfo cert;
	struct check_dane dane_smtp;	/* _25._tcp.<mx> */
	struct check_dane dane_smtp2;	/* _smtp2._tcp.<domain> */
	struct check_verdict verdict;
	struct check_notes notes;
};

struct check_domain_report {
	char	domain[SMTP2_DOMAIN_MAX + 1];
	struct check_record record;
	struct check_tlsa pins;		/* _smtp2._tcp.<domain> */
	struct check_mx mx;
	size_t	n_probes;
	struct check_probe probe[CHECK_PROBES_MAX];
	struct check_notes notes;
	int	exit;
};

struct check_cert_report {
	const char *file;
	char	domain[SMTP2_DOMAIN_MAX + 1];
	bool	offline;
	struct check_certinfo cert;
	struct check_tlsa pins;		/* not looked up offline */
	struct check_dane dane;
	struct check_verdict verdict;
	struct check_notes notes;
	int	exit;
};

struct check_record_report {
	const char *text;
	struct check_record record;
	int	exit;
};

/* The modes, in the order reports list them. */
extern const enum smtp2_mode check_modes[CHECK_N_MODES];

/* check_notes.c */
void check_note(struct check_notes *ns, enum check_level l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool check_notes_have(const struct check_notes *ns, enum check_level l);
const char *check_level_name(enum check_level l);
const char *check_stage_name(enum check_stage s);
const char *check_dns_status_name(enum smtp2_dns_status s);
const char *check_pin_status_name(enum smtp2_pin_status s);
const char *check_revocation_name(enum smtp2_revocation r);
void check_hex(const unsigned char *p, size_t len, char *buf, size_t buflen);

/* check_dns.c */
int check_dns_open(struct check_ctx *ctx, char *why, size_t whylen);
void check_lookup_set(struct check_lookup *l, const char *name, const char *type,
    const struct smtp2_dns_answer *a);
void check_record_fetch(struct check_ctx *ctx, const char *domain,
    struct check_record *r);
void check_tlsa_fetch(struct check_ctx *ctx, const char *owner, struct check_tlsa *t);
void check_tlsa_free(struct check_tlsa *t);

/* check_mx.c */
void check_mx_fetch(struct check_ctx *ctx, const char *domain, struct check_mx *mx,
    struct check_notes *notes);
void check_mx_fetch_addrs(struct check_ctx *ctx, struct check_host *h);

/* check_record.c */
void check_record_examine(const char *const *txts, const size_t *lens, size_t n,
    struct check_record *r);
int check_record_command(struct check_ctx *ctx, int argc, char **argv);

/* check_leaf.c (the leaf certificate, described with OpenSSL) */
struct x509_st;
void check_leaf_describe(struct x509_st *leaf, struct check_certinfo *ci);

/* check_http.c (libcurl) */
int check_http_post(const char *url, const char *ctype, const unsigned char *body,
    size_t body_len, size_t max, unsigned timeout, unsigned char **out,
    size_t *out_len, char *why, size_t whylen);
/* check_http_get - GET url, http:// only, within timeout_ms; on 200 the
 * body (malloc'd, caller frees, at most max bytes) in *out, else -1 with
 * why ("URL: HTTP 404", "URL: Couldn't connect to server") */
int check_http_get(const char *url, size_t max, unsigned timeout_ms,
    unsigned char **out, size_t *out_len, char *why, size_t whylen);

/*
 * check_ocsp.c - check_ocsp_fetch: an OCSP response for leaf from the
 * responder its AIA names.  The issuer is taken from rest (the chain
 * after the leaf), else from tls.ca_file.  Returns 0 with the DER
 * response in *der (caller frees), or -1 with why ("no OCSP URL in the
 * certificate", "OCSP responder URL: HTTP 500", "...: timed out ...").
 */
int check_ocsp_fetch(const struct check_ctx *ctx, struct x509_st *leaf,
    struct x509_st *const *rest, size_t n_rest, unsigned char **der,
    size_t *len, char *why, size_t whylen);

/* check_chain.c */
int check_setup_open(struct check_ctx *ctx);
void check_setup_close(struct check_ctx *ctx);
void check_chain_judge(struct check_ctx *ctx, const struct smtp2_chain *chain,
    const char *name, const unsigned char *ocsp, size_t ocsp_len,
    struct check_certinfo *ci);
void check_dane_judge(struct check_ctx *ctx, const char *label,
    const struct check_tlsa *set, const struct smtp2_chain *chain,
    const char *name, struct check_dane *d);
void check_verdict_run(struct check_ctx *ctx, const char *domain,
    const struct smtp2_chain *chain, const struct check_certinfo *ci,
    struct check_verdict *cv);

/* check_probe.c (one MX address: STARTTLS, then the chain judged) */
struct ssl_ctx_st;
void check_probe_run(struct check_ctx *ctx, const struct check_domain_report *dr,
    const char *helo, struct ssl_ctx_st *tls, struct check_probe *p);

/* check_metrics.c: argv[0] is "metrics"; the configuration is read
 * (args) only when no address is given.  Exit status, -1: usage. */
struct smtp2d_args;
int check_metrics_command(struct check_ctx *ctx, const struct smtp2d_args *args,
    int argc, char **argv);

/* check_domain.c, check_cert.c */
int check_domain_command(struct check_ctx *ctx, int argc, char **argv);
int check_cert_command(struct check_ctx *ctx, int argc, char **argv);

/* check_report.c (text) and check_report_json.c */
void check_report_record(const struct check_ctx *ctx, const struct check_record_report *r);
void check_report_domain(const struct check_ctx *ctx, const struct check_domain_report *r);
void check_report_cert(const struct check_ctx *ctx, const struct check_cert_report *r);
int check_json_record(const struct check_record_report *r);
int check_json_domain(const struct check_ctx *ctx, const struct check_domain_report *r);
int check_json_cert(const struct check_ctx *ctx, const struct check_cert_report *r);

#endif
