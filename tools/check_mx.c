/*
 * check_mx.c - where a domain's mail goes: its MX hosts (RFC 5321 5.1:
 * the domain itself when it has none; RFC 7505: "0 ." takes no mail) and
 * their addresses.  The probes connect to these, so the lists are bounded
 * (CHECK_MX_MAX hosts, CHECK_ADDR_MAX addresses each) and a name the
 * zone got wrong is reported, never guessed at.
 */

/* System library. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Application-specific. */
#include "check.h"


/* mx_label - append one label to out as lower-case text and a dot */
static int
mx_label(const unsigned char *l, size_t k, char *out, size_t outlen, size_t *n,
    char *why, size_t whylen)
{
	size_t j;

	if (*n + k + 2 > outlen) {
		snprintf(why, whylen, "name longer than %zu octets", outlen - 1);
		return -1;
	}
	for (j = 0; j < k; j++) {
		if (!isalnum(l[j]) && l[j] != '-' && l[j] != '_') {
			snprintf(why, whylen, "byte 0x%02x in a host name", l[j]);
			return -1;
		}
		out[(*n)++] = (char)tolower(l[j]);
	}
	out[(*n)++] = '.';
	return 0;
}

/*
 * check_mx_name - the wire name at rd[0..len) as text.  The library hands
 * MX rdata with the exchange uncompressed (SMTP2_SMTP2_DNS_T_MX in dns.h), so a
 * compression pointer here is malformed data.  Returns 0, or -1 with why.
 */
static int
check_mx_name(const unsigned char *rd, size_t len, char *out, size_t outlen,
    char *why, size_t whylen)
{
	size_t i = 0, n = 0, k;

	for (;;) {
		if (i >= len) {
			snprintf(why, whylen, "name without its final root label");
			return -1;
		}
		if ((k = rd[i]) == 0)
			break;
		if (k > 63 || k > len - i - 1) {
			snprintf(why, whylen, "bad label length 0x%02zx", k);
			return -1;
		}
		if (mx_label(rd + i + 1, k, out, outlen, &n, why, whylen) < 0)
			return -1;
		i += k + 1;
	}
	if (n > 0)
		n--;			/* no final dot: "." becomes "" */
	out[n] = '\0';
	return 0;
}

struct mx_entry {
	unsigned pref;
	char	name[CHECK_NAME_MAX];
};

/* check_mx_sort - by preference, equal ones in DNS order (insertion sort:
 * stable, and an MX set is small) */
static void
check_mx_sort(struct mx_entry *e, size_t n)
{
	struct mx_entry t;
	size_t i, j;

	for (i = 1; i < n; i++) {
		t = e[i];
		for (j = i; j > 0 && e[j - 1].pref > t.pref; j--)
			e[j] = e[j - 1];
		e[j] = t;
	}
}

/* check_mx_parse - every MX rdata into mx->host[], sorted, bounded */
static void
check_mx_parse(const struct smtp2_dns_answer *a, struct check_mx *mx,
    struct check_notes *notes)
{
	struct mx_entry all[32];
	const struct smtp2_dns_rr *rr;
	size_t i, n = 0;
	char why[128];

	for (i = 0; i < a->n && n < sizeof(all) / sizeof(all[0]); i++) {
		rr = &a->rr[i];
		if (rr->len < 3) {
			check_note(notes, CHECK_PROBLEM, "MX record %zu of %s is "
			    "shorter than 3 octets", i + 1, mx->lookup.name);
			continue;
		}
		if (check_mx_name(rr->rdata + 2, rr->len - 2,
		    all[n].name, sizeof(all[n].name), why, sizeof(why)) < 0) {
			check_note(notes, CHECK_PROBLEM, "MX record %zu of %s is "
			    "malformed: %s", i + 1, mx->lookup.name, why);
			continue;
		}
		all[n++].pref = (unsigned)rr->rdata[0] << 8 | rr->rdata[1];
	}
	mx->n_found = n;
	if (n == 1 && all[0].name[0] == '\0') {
		mx->null_mx = true;	/* RFC 7505 */
		return;
	}
	check_mx_sort(all, n);
	for (i = 0; i < n && mx->n < CHECK_MX_MAX; i++) {
		if (all[i].name[0] == '\0')
			continue;	/* "." beside real hosts: nothing to probe */
		mx->host[mx->n].pref = all[i].pref;
		memcpy(mx->host[mx->n++].name, all[i].name, sizeof(all[i].name));
	}
}

/* check_addr_add - keep one A/AAAA rdata as an address */
static void
check_addr_add(struct check_host *h, int family, const unsigned char *rd, size_t len)
{
	struct check_addr *ad;

	h->n_found++;
	if (h->n_addr == CHECK_ADDR_MAX || len != (family == AF_INET ? 4u : 16u))
		return;
	ad = &h->addr[h->n_addr++];
	ad->family = family;
	memcpy(ad->raw, rd, len);
	inet_ntop(family, ad->raw, ad->text, sizeof(ad->text));
}

/* check_mx_fetch_addrs - A, then AAAA: IPv4 first, as most MTAs still try */
void
check_mx_fetch_addrs(struct check_ctx *ctx, struct check_host *h)
{
	static const struct { uint16_t type; int family; const char *name; } t[] = {
		{ SMTP2_DNS_T_A, AF_INET, "A" }, { SMTP2_DNS_T_AAAA, AF_INET6, "AAAA" }
	};
	struct smtp2_dns_answer *a;
	struct check_lookup *l;
	size_t i, j;

	for (i = 0; i < 2; i++) {
		l = i == 0 ? &h->a : &h->aaaa;
		a = smtp2_dns_query(ctx->dns, h->name, t[i].type);
		check_lookup_set(l, h->name, t[i].name, a);
		for (j = 0; a != NULL && a->status == SMTP2_DNS_OK && j < a->n; j++)
			check_addr_add(h, t[i].family, a->rr[j].rdata, a->rr[j].len);
		smtp2_dns_answer_free(a);
	}
}

/* check_mx_fetch - MX of domain (or the domain itself) and the addresses */
void
check_mx_fetch(struct check_ctx *ctx, const char *domain, struct check_mx *mx,
    struct check_notes *notes)
{
	struct smtp2_dns_answer *a;
	size_t i;

	a = smtp2_dns_query(ctx->dns, domain, SMTP2_DNS_T_MX);
	check_lookup_set(&mx->lookup, domain, "MX", a);
	if (a != NULL && a->status == SMTP2_DNS_OK)
		check_mx_parse(a, mx, notes);
	smtp2_dns_answer_free(a);
	if (mx->lookup.status == SMTP2_DNS_NODATA) {
		mx->implicit = true;
		snprintf(mx->host[0].name, sizeof(mx->host[0].name), "%s", domain);
		mx->n = mx->n_found = 1;
	}
	for (i = 0; i < mx->n; i++)
		check_mx_fetch_addrs(ctx, &mx->host[i]);
}
