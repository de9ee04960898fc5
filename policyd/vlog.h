/*
 * vlog.h - the verdict log line, one per decision (docs/logs.md):
 *
 *   verdict stage=rcpt queue=- client=192.0.2.1:41234 sender=a@bank.test
 *   rcpt=b@example.org domain=bank.test result=pass method=dane
 *   dnssec=secure record=yes policy=enforce mode=enforce action=accept
 *   reason="certificate key matches pin 3 1 1" ms=3
 *
 * (one line).  Administrators grep these lines: the format is a contract.
 */
#ifndef POLICYD_VLOG_H
#define POLICYD_VLOG_H

/* Application-specific. */
#include <smtp2/decide.h>
#include <smtp2/verify.h>

struct policyd_vlog {
	const char	*stage;		/* "rcpt" */
	const char	*queue;		/* queue_id; NULL or "" logs "-" */
	const char	*client_address;
	const char	*client_port;
	const char	*sender;	/* "" (null sender) logs "<>" */
	const char	*rcpt;
	enum smtp2_mode	mode;
	const struct smtp2_verdict *v;
	enum smtp2_action action;
	long		ms;		/* time spent deciding */
	const char	*filter;	/* FILTER argument given; NULL or "": none */
};

/*
 * policyd_vlog - log one verdict line at info level.  Values that came
 * from the client are made grep-safe: blanks, control characters and '"'
 * become '?', addresses lose their angle brackets, and each value is cut
 * at POLICYD_VLOG_FIELD - 1 bytes.
 */
void policyd_vlog(const struct policyd_vlog *l);

#define POLICYD_VLOG_FIELD	256

#endif
