/*
 * smtp2/smtp2.h - everything libsmtp2 offers, for callers who want it all.
 */
#ifndef SMTP2_SMTP2_H
#define SMTP2_SMTP2_H

#define SMTP2_VERSION "0.1.0"

#include <smtp2/result.h>
#include <smtp2/record.h>
#include <smtp2/tls.h>
#include <smtp2/tlsa.h>
#include <smtp2/dns.h>
#include <smtp2/verify.h>
#include <smtp2/decide.h>
#include <smtp2/authres.h>
#include <smtp2/conf.h>
#include <smtp2/cert.h>
#include <smtp2/dane.h>
#include <smtp2/dkim.h>
#include <smtp2/dkim_verify.h>
#include <smtp2/dmarc.h>
#include <smtp2/practices.h>
#include <smtp2/requiretls.h>
#include <smtp2/submit.h>
#include <smtp2/tlspolicy.h>
#include <smtp2/mtasts.h>
#include <smtp2/metrics.h>

#endif
