/*
 * smtp2/conf.h - milter.conf, read by both daemons and smtp2-check.
 *
 * A loaded configuration is an immutable snapshot: load a new one and swap
 * it, never edit one in place.  Every key is described in docs/milter.conf.5.
 */
#ifndef SMTP2_CONF_H
#define SMTP2_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include <smtp2/cert.h>
#include <smtp2/decide.h>
#include <smtp2/result.h>
#include <smtp2/requiretls.h>
#include <smtp2/submit.h>

enum smtp2_log_level {
	SMTP2_LOG_ERR = 0,
	SMTP2_LOG_WARNING,
	SMTP2_LOG_NOTICE,
	SMTP2_LOG_INFO,
	SMTP2_LOG_DEBUG
};

enum smtp2_log_format {
	SMTP2_LOG_TEXT = 0,		/* key=value lines (docs/logs.md) */
	SMTP2_LOG_JSON			/* one JSON object per line */
};

enum smtp2_tls_source {
	SMTP2_TLS_SOURCE_AUTO = 0,	/* Sendmail macros when present, else policyd */
	SMTP2_TLS_SOURCE_POLICYD,	/* Postfix: ask smtp2-policyd */
	SMTP2_TLS_SOURCE_MACROS		/* Sendmail: {verify}, {cert_fp}, ... */
};

/*
 * Per-domain CA pinning: only these CAs may prove the domain (and its
 * subdomains) by PKIX, limiting what one compromised CA can do.  The MTA
 * verifies the chain and names only the issuer, so issuers lists the CNs
 * of the CAs allowed to have issued the sending certificate; ca_file
 * serves where the whole chain is at hand (smtp2-check).
 */
struct smtp2_conf_domain_cas {
	char	*domain;
	char	*ca_file;	/* NULL: none given */
	char	**issuers;
	size_t	n_issuers;
};

struct smtp2_conf {
	char		*path;
	struct {
		char	**resolvers;	/* "127.0.0.1:53" ... */
		size_t	n_resolvers;
		char	*trust_anchors;
		enum smtp2_dnssec_mode dnssec;
		unsigned timeout_ms;
		unsigned cache_entries;
		unsigned max_queries;	/* upstream lookups per message or RCPT
					 * decision: smtp2_dns_budget() */
	} dns;
	struct {
		char	*ca_file;
		char	*ca_dir;	/* NULL: none */
		char	*crl_file;	/* NULL: no CRLs */
		unsigned clock_skew;	/* seconds */
		unsigned min_rsa_bits;
		unsigned min_ec_bits;
		enum smtp2_revocation_stance revocation;
		struct smtp2_conf_domain_cas *domain_cas;	/* per-domain CA pinning */
		size_t	n_domain_cas;
	} tls;
	struct {
		enum smtp2_mode mode;
		char	*authserv_id;
	} policy;
	struct {
		char	*socket;	/* libmilter form: "inet:8891@127.0.0.1", "unix:/p" */
		char	*policyd;	/* where to ask for TLS facts; default policyd.listen[0] */
		enum smtp2_tls_source tls_source;
		unsigned policyd_timeout_ms;
		unsigned max_connections;	/* beyond: the connection gets 4xx */
		unsigned max_header_bytes;	/* beyond: 552 5.3.4; each field
					 * counts name + value + 4 (": ", CRLF) */
	} milter;
	struct {
		char	**listen;	/* "inet:127.0.0.1:10040", "unix:/run/smtp2/policyd.sock" */
		size_t	n_listen;
		unsigned max_connections;
		unsigned max_request;	/* bytes in one request block, final
					 * empty line included: smtp2d_reader_init() */
		unsigned session_ttl;	/* seconds a connection's TLS facts are kept */
	} policyd;
	struct {
		bool	verify;		/* verify DKIM signatures, judge practices */
		enum smtp2_practices_mode practices;
		char	**trusted_authserv_ids;	/* upstream A-R whose spf= counts */
		size_t	n_trusted_authserv_ids;
		unsigned min_rsa_bits;	/* shorter RSA keys never pass */
		unsigned clock_skew;	/* seconds of slack for t= and x= */
		unsigned key_cache_entries;	/* parsed keys kept */
		bool	forwarded;	/* the forwarded-mail rule (docs/practices.md) */
	} dkim;
	struct {			/* RFC 6409 submission (docs/submission.md) */
		char	**ports;	/* {daemon_port} values meaning submission */
		size_t	n_ports;
		char	**daemon_names;	/* {daemon_name} values meaning submission */
		size_t	n_daemon_names;
		bool	reject_improper;	/* 554: control bytes, overlong */
		bool	require_fqdn;	/* 554: unqualified envelope domains */
		char	*expand_domain;	/* single labels get ".this"; NULL: never */
		bool	check_syntax;	/* 501 5.1.7 / 5.1.3 */
		bool	require_auth;	/* 530 5.7.0 without AUTH */
		char	**trusted_networks;	/* clients exempt from require_auth */
		size_t	n_trusted_networks;
		bool	require_tls;	/* 530 5.7.0 without STARTTLS (RFC 8314) */
		char	*rights;	/* login -> addresses map file; NULL: none */
		char	*recipient_rights;	/* login -> recipients; NULL: none */
		bool	check_message;	/* 554 5.6.0 for a malformed header */
		bool	postmaster_no_auth;	/* mail to postmaster without AUTH */
		bool	add_date;
		bool	add_message_id;
		bool	add_sender;
		char	*message_id_domain;	/* NULL: policy.authserv_id */
		unsigned log_rate;	/* error lines a minute; 0: unlimited */
		/* Made at load time from the above. */
		struct smtp2_submit_net *nets;
		size_t	n_nets;
		struct smtp2_submit_rights *rights_map, *rcpt_map;
	} submission;
	struct {			/* REQUIRETLS rule set (docs/requiretls.md) */
		char	**senders;	/* "u@d", "@d", ".d" */
		size_t	n_senders;
		char	**recipients;	/* "u@d", "@d", ".d" */
		size_t	n_recipients;
		char	**domains;	/* recipient domains: "d", ".d" */
		size_t	n_domains;
		char	*transport;	/* FILTER target: "smtp2-tls" or "t:nexthop" */
		enum smtp2_rtls_multiple multiple;	/* several TLS-Required fields */
	} requiretls;
	struct {			/* smtp_tls_policy_maps (docs/tlspolicy.md) */
		char	**listen;	/* socketmap listeners; none: not served */
		size_t	n_listen;
		unsigned smtp_port;	/* Postfix's smtp_tcp_port: TLSA at _PORT._tcp */
		bool	mta_sts;	/* consult MTA-STS when DNS has nothing */
		unsigned mta_sts_port;	/* HTTPS port of policy hosts: 443 */
		unsigned mta_sts_timeout_ms;	/* one whole policy fetch */
		unsigned mta_sts_cache_entries;	/* domains' policies kept */
	} tlspolicy;
	struct {
		char	*to;		/* "syslog", "stderr", "file:/path" */
		enum smtp2_log_level level;
		enum smtp2_log_format format;	/* text, or one JSON object per line */
	} log;
	struct {			/* HTTP endpoints (docs/metrics.md) */
		char	*policyd_listen;	/* "127.0.0.1:9466"; NULL: off */
		char	*milter_listen;		/* NULL: off */
	} metrics;
	struct {			/* started as root (smtp2-milter(8)) */
		char	*user;		/* drop to this user after binding; NULL: none */
		char	*group;		/* NULL: the user's primary group */
		bool	allow_root;	/* without user: keep running as root */
	} daemon;
};

/*
 * smtp2_conf_load - read and check path.  Returns NULL with
 * "FILE:LINE: what is wrong" in why (LINE 0 when the file cannot be read).
 * Unknown keys, wrong types and bad values are errors; absent keys get
 * safe defaults.  Caller frees with smtp2_conf_free().
 */
struct smtp2_conf *smtp2_conf_load(const char *path, char *why, size_t whylen);

/* smtp2_conf_defaults - a configuration made of defaults only. */
struct smtp2_conf *smtp2_conf_defaults(void);

void smtp2_conf_free(struct smtp2_conf *c);

const char *smtp2_log_level_name(enum smtp2_log_level l);

/* "tag", "reject-on-discardable", "reject-on-p=reject" */
const char *smtp2_practices_mode_name(enum smtp2_practices_mode m);

#endif
