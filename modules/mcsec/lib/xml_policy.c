/*
 * mcsec - XML protection policy: per content type, which elements get
 * content encryption (TS 33.180 9.3.4.2), which hold key material
 * (kw-aes256), which attributes get URI encryption (9.3.4.3), whether
 * integrity (9.3.5) is required, and the encryption domain.
 *
 * Format (documented in cfg/xml-policy.example), one directive a line:
 *   # comment
 *   domain = NAME             before any section: the default domain
 *   integrity = yes|no        before any section: the default
 *   [media/type+xml]          starts the rules of one content type
 *   domain = NAME
 *   integrity = yes|no
 *   content = NS ELEMENT [mark]
 *   key = NS ELEMENT
 *   uri = NS ELEMENT ATTRIBUTE
 * NS is a namespace URI, "-" for no namespace or "*" for any.  "mark" sets
 * type="Encrypted" on the element, the marker of the MC info schemas.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "encoding.h"
#include "fileio.h"
#include "mcsec_err.h"
#include "mime_multipart.h"
#include "xml_internal.h"

#define MAX_POLICY_FILE (1024 * 1024)
#define MAX_LINE 1024
#define MAX_RULES 256
#define MAX_SECTIONS 64

typedef struct policy_section
{
	char *ctype;
	char *domain;  /* NULL = policy default */
	int integrity; /* -1 = policy default */
	mcsec_xml_rule_t *rules;
	size_t nrules;
} policy_section_t;

struct mcsec_xml_policy
{
	char *domain;
	int integrity;
	policy_section_t *secs;
	size_t nsecs;
};

/* TS 33.180 9.3.2: MC service IDs, group IDs, location, alerts, access
 * tokens, functional aliases (key material has no SIP body of its own; see
 * the "key" example in cfg/xml-policy.example). Element names from the
 * mcpttinfo (TS 24.379), mcvideoinfo (TS 24.281), mcdatainfo (TS 24.282),
 * location-info, pidf affiliation and resource-lists (RFC 4826) schemas. */
static const char default_policy[] =
		"domain = " MCSEC_XML_DEFAULT_DOMAIN "\n"
		"integrity = no\n"
		"[application/vnd.3gpp.mcptt-info+xml]\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 mcptt-request-uri mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 mcptt-calling-user-id mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 mcptt-called-party-id mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 mcptt-calling-group-id mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 associated-group-id mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 originated-by mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 mcptt-access-token mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 alert-ind mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 alert-ind-rcvd mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 functional-alias-URI mark\n"
		"content = urn:3gpp:ns:mcpttInfo:1.0 called-functional-alias-URI mark\n"
		"[application/vnd.3gpp.mcvideo-info+xml]\n"
		"content = urn:3gpp:ns:mcvideoInfo:1.0 mcvideo-request-uri mark\n"
		"content = urn:3gpp:ns:mcvideoInfo:1.0 mcvideo-calling-user-id mark\n"
		"content = urn:3gpp:ns:mcvideoInfo:1.0 mcvideo-called-party-id mark\n"
		"content = urn:3gpp:ns:mcvideoInfo:1.0 mcvideo-calling-group-id mark\n"
		"content = urn:3gpp:ns:mcvideoInfo:1.0 associated-group-id mark\n"
		"content = urn:3gpp:ns:mcvideoInfo:1.0 originated-by mark\n"
		"content = urn:3gpp:ns:mcvideoInfo:1.0 alert-ind mark\n"
		"content = urn:3gpp:ns:mcvideoInfo:1.0 functional-alias-URI mark\n"
		"[application/vnd.3gpp.mcdata-info+xml]\n"
		"content = urn:3gpp:ns:mcdataInfo:1.0 mcdata-request-uri mark\n"
		"content = urn:3gpp:ns:mcdataInfo:1.0 mcdata-calling-user-identity "
		"mark\n"
		"content = urn:3gpp:ns:mcdataInfo:1.0 mcdata-called-party-id mark\n"
		"content = urn:3gpp:ns:mcdataInfo:1.0 mcdata-calling-group-id mark\n"
		"content = urn:3gpp:ns:mcdataInfo:1.0 associated-group-id mark\n"
		"content = urn:3gpp:ns:mcdataInfo:1.0 functional-alias-URI mark\n"
		"[application/vnd.3gpp.mcptt-location-info+xml]\n"
		"content = urn:3gpp:ns:mcpttLocationInfo:1.0 CurrentLocation\n"
		"[application/pidf+xml]\n"
		"uri = urn:ietf:params:xml:ns:pidf presence entity\n"
		"uri = * affiliation group\n"
		"[application/resource-lists+xml]\n"
		"uri = urn:ietf:params:xml:ns:resource-lists entry uri\n";

void mcsec_xml_policy_free(mcsec_xml_policy_t *p)
{
	if(!p)
		return;
	for(size_t i = 0; i < p->nsecs; i++) {
		policy_section_t *s = &p->secs[i];
		for(size_t r = 0; r < s->nrules; r++) {
			free(s->rules[r].ns);
			free(s->rules[r].elem);
			free(s->rules[r].attr);
		}
		free(s->rules);
		free(s->ctype);
		free(s->domain);
	}
	free(p->secs);
	free(p->domain);
	free(p);
}


/* Splits line into at most max whitespace-separated words. */
static size_t words(char *line, char **w, size_t max)
{
	size_t n = 0;
	char *p = line;

	for(;;) {
		while(*p == ' ' || *p == '\t')
			p++;
		if(!*p)
			return n;
		if(n == max)
			return max + 1;
		w[n++] = p;
		while(*p && *p != ' ' && *p != '\t')
			p++;
		if(*p)
			*p++ = '\0';
	}
}

static int valid_domain(const char *d)
{
	size_t n = strlen(d);
	if(n == 0 || n > 253)
		return 0;
	for(size_t i = 0; i < n; i++)
		if(!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z')
				   || (d[i] >= '0' && d[i] <= '9') || d[i] == '-'
				   || d[i] == '.'))
			return 0;
	return 1;
}

static int parse_bool(const char *v, int *out)
{
	if(!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcmp(v, "1"))
		*out = 1;
	else if(!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int add_rule(policy_section_t *s, int kind, char **w, size_t nw)
{
	mcsec_xml_rule_t *r, *nr;
	const char *ns;

	if(s->nrules == MAX_RULES)
		return -1;
	nr = realloc(s->rules, (s->nrules + 1) * sizeof(*nr));
	if(!nr)
		return -1;
	s->rules = nr;
	r = &s->rules[s->nrules];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	ns = strcmp(w[0], "-") ? w[0] : "";
	r->ns = mcsec_memdup_str(ns, strlen(ns));
	r->elem = mcsec_memdup_str(w[1], strlen(w[1]));
	if(kind == MCSEC_RULE_URI)
		r->attr = mcsec_memdup_str(w[2], strlen(w[2]));
	else if(nw == 3) {
		if(kind != MCSEC_RULE_CONTENT || strcmp(w[2], "mark")) {
			free(r->ns);
			free(r->elem);
			return -1;
		}
		r->mark = 1;
	}
	if(!r->ns || !r->elem || (kind == MCSEC_RULE_URI && !r->attr)) {
		free(r->ns);
		free(r->elem);
		free(r->attr);
		return -1;
	}
	s->nrules++;
	return 0;
}

static int parse_line(mcsec_xml_policy_t *p, char *line)
{
	char *w[6], *eq, *key, *val;
	size_t nw;
	policy_section_t *s = p->nsecs ? &p->secs[p->nsecs - 1] : NULL;

	if(line[0] == '[') {
		size_t n = strlen(line);
		const char *mt;
		size_t mtn;
		policy_section_t *ns;
		if(n < 3 || line[n - 1] != ']' || p->nsecs == MAX_SECTIONS)
			return -1;
		if(mcsec_mime_media_type(line + 1, n - 2, &mt, &mtn) != MCSEC_OK
				|| mtn != n - 2)
			return -1;
		for(size_t i = 0; i < p->nsecs; i++)
			if(strlen(p->secs[i].ctype) == mtn
					&& !strncasecmp(p->secs[i].ctype, mt, mtn))
				return -1; /* a content type twice */
		ns = realloc(p->secs, (p->nsecs + 1) * sizeof(*ns));
		if(!ns)
			return -1;
		p->secs = ns;
		s = &p->secs[p->nsecs];
		memset(s, 0, sizeof(*s));
		s->integrity = -1;
		s->ctype = mcsec_memdup_str(mt, mtn);
		if(!s->ctype)
			return -1;
		p->nsecs++;
		return 0;
	}
	eq = strchr(line, '=');
	if(!eq)
		return -1;
	*eq = '\0';
	key = line;
	val = eq + 1;
	if(words(key, w, 1) != 1)
		return -1;
	key = w[0];
	nw = words(val, w, 4);
	if(nw == 0 || nw > 4)
		return -1;
	if(!strcmp(key, "domain")) {
		char **dst = s ? &s->domain : &p->domain;
		if(nw != 1 || !valid_domain(w[0]))
			return -1;
		free(*dst);
		*dst = mcsec_memdup_str(w[0], strlen(w[0]));
		return *dst ? 0 : -1;
	}
	if(!strcmp(key, "integrity")) {
		if(nw != 1)
			return -1;
		return parse_bool(w[0], s ? &s->integrity : &p->integrity);
	}
	if(!s)
		return -1; /* rules belong to a content type */
	if(!strcmp(key, "content") && (nw == 2 || nw == 3))
		return add_rule(s, MCSEC_RULE_CONTENT, w, nw);
	if(!strcmp(key, "key") && nw == 2)
		return add_rule(s, MCSEC_RULE_KEY, w, nw);
	if(!strcmp(key, "uri") && nw == 3)
		return add_rule(s, MCSEC_RULE_URI, w, nw);
	return -1;
}

int mcsec_xml_policy_parse(
		const char *text, size_t len, mcsec_xml_policy_t **out, int *err_line)
{
	mcsec_xml_policy_t *p;
	size_t i = 0;
	int lineno = 0;

	if(!text || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	if(len > MAX_POLICY_FILE)
		return MCSEC_ERR_MALFORMED;
	p = calloc(1, sizeof(*p));
	if(!p)
		return MCSEC_ERR_INTERNAL;
	p->domain = mcsec_memdup_str(
			MCSEC_XML_DEFAULT_DOMAIN, strlen(MCSEC_XML_DEFAULT_DOMAIN));
	if(!p->domain) {
		free(p);
		return MCSEC_ERR_INTERNAL;
	}
	while(i < len) {
		char line[MAX_LINE + 1];
		size_t n = 0, a, b;
		lineno++;
		while(i < len && text[i] != '\n') {
			if(text[i] == '\0' || n == MAX_LINE)
				goto bad;
			line[n++] = text[i++];
		}
		i++;
		line[n] = '\0';
		if(memchr(line, '#', n))
			n = (size_t)((char *)memchr(line, '#', n) - line);
		for(a = 0; a < n && (line[a] == ' ' || line[a] == '\t'); a++)
			;
		for(b = n; b > a
				   && (line[b - 1] == ' ' || line[b - 1] == '\t'
						   || line[b - 1] == '\r');
				b--)
			;
		if(a == b)
			continue;
		line[b] = '\0';
		if(parse_line(p, line + a) != 0)
			goto bad;
	}
	*out = p;
	return MCSEC_OK;
bad:
	if(err_line)
		*err_line = lineno;
	mcsec_xml_policy_free(p);
	return MCSEC_ERR_MALFORMED;
}

int mcsec_xml_policy_default(mcsec_xml_policy_t **out)
{
	return mcsec_xml_policy_parse(
			default_policy, sizeof(default_policy) - 1, out, NULL);
}

int mcsec_xml_policy_load(
		const char *path, mcsec_xml_policy_t **out, int *err_line)
{
	char *buf;
	size_t n;
	int rc;

	if(!path || !out)
		return MCSEC_ERR_ARG;
	rc = mcsec_read_file(path, MAX_POLICY_FILE, &buf, &n, NULL, 0);
	if(rc != MCSEC_OK)
		return rc;
	rc = mcsec_xml_policy_parse(buf, n, out, err_line);
	free(buf);
	return rc;
}

static const policy_section_t *find_section(
		const mcsec_xml_policy_t *p, const char *ctype, size_t ctype_len)
{
	const char *mt;
	size_t n;

	if(!p || !ctype
			|| mcsec_mime_media_type(ctype, ctype_len, &mt, &n) != MCSEC_OK)
		return NULL;
	for(size_t i = 0; i < p->nsecs; i++)
		if(strlen(p->secs[i].ctype) == n
				&& !strncasecmp(p->secs[i].ctype, mt, n))
			return &p->secs[i];
	return NULL;
}

const char *mcsec_xml_policy_domain(
		const mcsec_xml_policy_t *p, const char *ctype, size_t ctype_len)
{
	const policy_section_t *s = find_section(p, ctype, ctype_len);
	if(s && s->domain)
		return s->domain;
	return p && p->domain ? p->domain : MCSEC_XML_DEFAULT_DOMAIN;
}

int mcsec_xml_policy_integrity(
		const mcsec_xml_policy_t *p, const char *ctype, size_t ctype_len)
{
	const policy_section_t *s = find_section(p, ctype, ctype_len);
	if(s && s->integrity >= 0)
		return s->integrity;
	return p ? p->integrity : 0;
}

const mcsec_xml_rule_t *mcsec_xml_policy_rules(const mcsec_xml_policy_t *p,
		const char *ctype, size_t ctype_len, size_t *nrules)
{
	const policy_section_t *s = find_section(p, ctype, ctype_len);
	*nrules = s ? s->nrules : 0;
	return s ? s->rules : NULL;
}
