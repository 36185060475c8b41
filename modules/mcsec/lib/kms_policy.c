/*
 * mcsec - KMS acceptance policy (TS 33.180 5.2.8.2.3 / 5.2.8.2.4 "local
 * policy of which KMSs are supported within the domain").  File format in
 * kms_policy.h.  Parsing is two passes over tokenised lines: first the KMS
 * sets, groups, local patterns and flags, then the rules, whose @home /
 * @migration / @external items are expanded into flat URI lists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kms_policy.h"
#include "fileio.h"
#include "mcsec_err.h"

#define MAX_TOKENS 256

typedef struct strv
{
	size_t n;
	char **v;
} strv_t;

typedef struct kms_rule
{
	int kind; /* RULE_USER, RULE_GROUP, RULE_DEFAULT */
	char *name;
	int dirs; /* mask of 1 << MCSEC_KMS_DIR_* */
	int role; /* MCSEC_KMS_ROLE_*, 0 = every proxy role */
	int any;
	strv_t uris;
} kms_rule_t;

enum
{
	RULE_USER = 1,
	RULE_GROUP = 2,
	RULE_DEFAULT = 3,
};

typedef struct kms_group
{
	char *name;
	strv_t patterns;
} kms_group_t;

struct mcsec_kms_policy
{
	char *home;
	strv_t migration, external, local;
	kms_group_t *groups;
	size_t ngroups;
	kms_rule_t *rules;
	size_t nrules;
	strv_t builtin; /* @home @migration */
	char *creator;
	int accept_unsigned, accept_untrusted;
};

static void strv_free(strv_t *s)
{
	for(size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int strv_has(const strv_t *s, const char *x)
{
	for(size_t i = 0; i < s->n; i++)
		if(!strcmp(s->v[i], x))
			return 1;
	return 0;
}

/* Append a copy unless already present (preference order kept). */
static int strv_add(strv_t *s, const char *x)
{
	char **nv;
	if(strv_has(s, x))
		return MCSEC_OK;
	nv = realloc(s->v, (s->n + 1) * sizeof(*nv));
	if(!nv)
		return MCSEC_ERR_INTERNAL;
	s->v = nv;
	s->v[s->n] = strdup(x);
	if(!s->v[s->n])
		return MCSEC_ERR_INTERNAL;
	s->n++;
	return MCSEC_OK;
}

void mcsec_kms_policy_free(mcsec_kms_policy_t *p)
{
	if(!p)
		return;
	free(p->home);
	strv_free(&p->migration);
	strv_free(&p->external);
	strv_free(&p->local);
	strv_free(&p->builtin);
	for(size_t i = 0; i < p->ngroups; i++) {
		free(p->groups[i].name);
		strv_free(&p->groups[i].patterns);
	}
	free(p->groups);
	for(size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].name);
		strv_free(&p->rules[i].uris);
	}
	free(p->rules);
	free(p->creator);
	free(p);
}

/* A URI token: printable ASCII without blanks (xsd:anyURI in D.4.4 is
 * written as is), bounded length, not a reserved keyword. */
static int chars_ok(const char *s)
{
	size_t n = strlen(s);
	if(n == 0 || n > MCSEC_KMS_POLICY_MAX_URI)
		return 0;
	for(size_t i = 0; i < n; i++)
		if((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f
				|| s[i] == '<' || s[i] == '>' || s[i] == '&' || s[i] == '"')
			return 0;
	return 1;
}

static int uri_ok(const char *s)
{
	return s[0] != '@' && chars_ok(s);
}

static int pattern_ok(const char *s)
{
	if(s[0] == '*')
		return s[1] == '\0' || chars_ok(s + 1);
	return uri_ok(s);
}

static int pattern_match(const char *pat, const char *u, size_t ulen)
{
	size_t pl;
	if(pat[0] == '*') {
		pl = strlen(pat + 1);
		return pl <= ulen && !memcmp(u + ulen - pl, pat + 1, pl);
	}
	pl = strlen(pat);
	return pl == ulen && !memcmp(pat, u, ulen);
}

/* DIR[@ROLE]: sets *role (0 when no @ROLE). */
static int dir_mask(const char *s, int *role)
{
	const char *at = strchr(s, '@');
	char d[16];
	*role = 0;
	if(at) {
		if(!strcmp(at + 1, "cs-in"))
			*role = MCSEC_KMS_ROLE_CS_INBOUND;
		else if(!strcmp(at + 1, "is"))
			*role = MCSEC_KMS_ROLE_IS;
		else if(!strcmp(at + 1, "cs-out"))
			*role = MCSEC_KMS_ROLE_CS_OUTBOUND;
		else
			return 0;
		if((size_t)(at - s) >= sizeof(d))
			return 0;
		memcpy(d, s, (size_t)(at - s));
		d[at - s] = '\0';
		s = d;
	}
	if(!strcmp(s, "initiator"))
		return 1 << MCSEC_KMS_DIR_INITIATOR;
	if(!strcmp(s, "receiver"))
		return 1 << MCSEC_KMS_DIR_RECEIVER;
	if(!strcmp(s, "both"))
		return (1 << MCSEC_KMS_DIR_INITIATOR) | (1 << MCSEC_KMS_DIR_RECEIVER);
	return 0;
}

static kms_group_t *find_group(mcsec_kms_policy_t *p, const char *name)
{
	for(size_t i = 0; i < p->ngroups; i++)
		if(!strcmp(p->groups[i].name, name))
			return &p->groups[i];
	return NULL;
}

/* Expand list items tok[0..n) into r. */
static int expand_list(
		mcsec_kms_policy_t *p, char **tok, size_t n, int *any, strv_t *out)
{
	int rc = MCSEC_OK;
	*any = 0;
	if(n == 0)
		return MCSEC_ERR_MALFORMED;
	if(!strcmp(tok[0], "ANY") || !strcmp(tok[0], "none")) {
		if(n != 1)
			return MCSEC_ERR_MALFORMED;
		*any = tok[0][0] == 'A';
		return MCSEC_OK;
	}
	for(size_t i = 0; i < n && rc == MCSEC_OK; i++) {
		if(!strcmp(tok[i], "@home")) {
			rc = strv_add(out, p->home);
		} else if(!strcmp(tok[i], "@migration")) {
			for(size_t j = 0; j < p->migration.n && rc == MCSEC_OK; j++)
				rc = strv_add(out, p->migration.v[j]);
		} else if(!strcmp(tok[i], "@external")) {
			for(size_t j = 0; j < p->external.n && rc == MCSEC_OK; j++)
				rc = strv_add(out, p->external.v[j]);
		} else if(uri_ok(tok[i])) {
			rc = strv_add(out, tok[i]);
		} else {
			rc = MCSEC_ERR_MALFORMED;
		}
	}
	return rc;
}

static int accept_flag(char **tok, size_t n, int *flag)
{
	if(n != 2)
		return MCSEC_ERR_MALFORMED;
	if(!strcmp(tok[1], "accept"))
		*flag = 1;
	else if(!strcmp(tok[1], "reject"))
		*flag = 0;
	else
		return MCSEC_ERR_MALFORMED;
	return MCSEC_OK;
}

/* Pass 1: KMS sets, groups, local patterns, flags. */
static int directive1(mcsec_kms_policy_t *p, char **tok, size_t n)
{
	const char *d = tok[0];
	int rc = MCSEC_OK;

	if(!strcmp(d, "home")) {
		if(n != 2 || p->home || !uri_ok(tok[1]))
			return MCSEC_ERR_MALFORMED;
		p->home = strdup(tok[1]);
		return p->home ? MCSEC_OK : MCSEC_ERR_INTERNAL;
	}
	if(!strcmp(d, "migration") || !strcmp(d, "external")) {
		strv_t *s = d[0] == 'm' ? &p->migration : &p->external;
		if(n < 2)
			return MCSEC_ERR_MALFORMED;
		for(size_t i = 1; i < n && rc == MCSEC_OK; i++)
			rc = uri_ok(tok[i]) ? strv_add(s, tok[i]) : MCSEC_ERR_MALFORMED;
		return rc;
	}
	if(!strcmp(d, "local")) {
		if(n < 2)
			return MCSEC_ERR_MALFORMED;
		for(size_t i = 1; i < n && rc == MCSEC_OK; i++)
			rc = pattern_ok(tok[i]) ? strv_add(&p->local, tok[i])
									: MCSEC_ERR_MALFORMED;
		return rc;
	}
	if(!strcmp(d, "group")) {
		kms_group_t *g, *ng;
		if(n < 3 || !uri_ok(tok[1]))
			return MCSEC_ERR_MALFORMED;
		g = find_group(p, tok[1]);
		if(!g) {
			ng = realloc(p->groups, (p->ngroups + 1) * sizeof(*ng));
			if(!ng)
				return MCSEC_ERR_INTERNAL;
			p->groups = ng;
			g = &p->groups[p->ngroups];
			memset(g, 0, sizeof(*g));
			g->name = strdup(tok[1]);
			if(!g->name)
				return MCSEC_ERR_INTERNAL;
			p->ngroups++;
		}
		for(size_t i = 2; i < n && rc == MCSEC_OK; i++)
			rc = pattern_ok(tok[i]) ? strv_add(&g->patterns, tok[i])
									: MCSEC_ERR_MALFORMED;
		return rc;
	}
	if(!strcmp(d, "krr-unsigned"))
		return accept_flag(tok, n, &p->accept_unsigned);
	if(!strcmp(d, "krr-untrusted"))
		return accept_flag(tok, n, &p->accept_untrusted);
	if(!strcmp(d, "krr-creator")) {
		if(n != 2 || p->creator || !uri_ok(tok[1]))
			return MCSEC_ERR_MALFORMED;
		p->creator = strdup(tok[1]);
		return p->creator ? MCSEC_OK : MCSEC_ERR_INTERNAL;
	}
	if(!strcmp(d, "default") || !strcmp(d, "user") || !strcmp(d, "for-group"))
		return MCSEC_OK; /* pass 2 */
	return MCSEC_ERR_MALFORMED;
}

/* Pass 2: rules. */
static int directive2(mcsec_kms_policy_t *p, char **tok, size_t n)
{
	kms_rule_t *r, *nr;
	size_t first;
	int kind, rc;

	if(!strcmp(tok[0], "default"))
		kind = RULE_DEFAULT;
	else if(!strcmp(tok[0], "user"))
		kind = RULE_USER;
	else if(!strcmp(tok[0], "for-group"))
		kind = RULE_GROUP;
	else
		return MCSEC_OK;
	first = kind == RULE_DEFAULT ? 1 : 2;
	if(n < first + 2)
		return MCSEC_ERR_MALFORMED;
	if(kind == RULE_USER && !uri_ok(tok[1]))
		return MCSEC_ERR_MALFORMED;
	if(kind == RULE_GROUP && !find_group(p, tok[1]))
		return MCSEC_ERR_MALFORMED; /* unknown group */
	nr = realloc(p->rules, (p->nrules + 1) * sizeof(*nr));
	if(!nr)
		return MCSEC_ERR_INTERNAL;
	p->rules = nr;
	r = &p->rules[p->nrules];
	memset(r, 0, sizeof(*r));
	p->nrules++;
	r->kind = kind;
	if(kind != RULE_DEFAULT) {
		r->name = strdup(tok[1]);
		if(!r->name)
			return MCSEC_ERR_INTERNAL;
	}
	r->dirs = dir_mask(tok[first], &r->role);
	if(!r->dirs)
		return MCSEC_ERR_MALFORMED;
	rc = expand_list(p, tok + first + 1, n - first - 1, &r->any, &r->uris);
	return rc;
}

/* Split one line in place into blank-separated tokens (comment stripped). */
static size_t tokenize(char *line, char **tok, size_t max, int *overflow)
{
	size_t n = 0;
	char *s = line;
	char *hash = strchr(line, '#');
	if(hash)
		*hash = '\0';
	*overflow = 0;
	for(;;) {
		while(*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if(!*s)
			break;
		if(n == max) {
			*overflow = 1;
			break;
		}
		tok[n++] = s;
		while(*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if(*s)
			*s++ = '\0';
	}
	return n;
}

static int run_pass(mcsec_kms_policy_t *p, const char *buf, size_t len,
		int pass, int *err_line)
{
	char *copy, *line, *next;
	char *tok[MAX_TOKENS];
	int lineno = 0, rc = MCSEC_OK;

	copy = malloc(len + 1);
	if(!copy)
		return MCSEC_ERR_INTERNAL;
	memcpy(copy, buf, len);
	copy[len] = '\0';
	for(line = copy; line && rc == MCSEC_OK; line = next) {
		size_t n;
		int overflow;
		next = strchr(line, '\n');
		if(next)
			*next++ = '\0';
		lineno++;
		n = tokenize(line, tok, MAX_TOKENS, &overflow);
		if(overflow) {
			rc = MCSEC_ERR_MALFORMED;
			break;
		}
		if(n == 0)
			continue;
		rc = pass == 1 ? directive1(p, tok, n) : directive2(p, tok, n);
	}
	if(rc != MCSEC_OK && err_line)
		*err_line = lineno;
	free(copy);
	return rc;
}

int mcsec_kms_policy_parse(
		const char *buf, size_t len, mcsec_kms_policy_t **out, int *err_line)
{
	mcsec_kms_policy_t *p;
	int rc;

	if(!buf || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	if(err_line)
		*err_line = 0;
	if(len > MCSEC_KMS_POLICY_MAX_FILE || memchr(buf, '\0', len))
		return MCSEC_ERR_MALFORMED;
	p = calloc(1, sizeof(*p));
	if(!p)
		return MCSEC_ERR_INTERNAL;
	rc = run_pass(p, buf, len, 1, err_line);
	if(rc == MCSEC_OK && !p->home)
		rc = MCSEC_ERR_MALFORMED; /* the Home KMS is mandatory */
	if(rc == MCSEC_OK)
		rc = run_pass(p, buf, len, 2, err_line);
	if(rc == MCSEC_OK)
		rc = strv_add(&p->builtin, p->home);
	for(size_t i = 0; rc == MCSEC_OK && i < p->migration.n; i++)
		rc = strv_add(&p->builtin, p->migration.v[i]);
	if(rc != MCSEC_OK) {
		mcsec_kms_policy_free(p);
		return rc;
	}
	*out = p;
	return MCSEC_OK;
}

int mcsec_kms_policy_load(
		const char *path, mcsec_kms_policy_t **out, int *err_line)
{
	char *buf;
	size_t n;
	int rc;

	if(!path || !out)
		return MCSEC_ERR_ARG;
	rc = mcsec_read_file(path, MCSEC_KMS_POLICY_MAX_FILE, &buf, &n, NULL, 0);
	if(rc != MCSEC_OK)
		return rc;
	rc = mcsec_kms_policy_parse(buf, n, out, err_line);
	free(buf);
	return rc;
}

static int group_has(const kms_group_t *g, const char *u, size_t ulen)
{
	for(size_t i = 0; i < g->patterns.n; i++)
		if(pattern_match(g->patterns.v[i], u, ulen))
			return 1;
	return 0;
}

/* The first rule of kind for user/dir/role (role 0: rules without a
 * role only). */
static const kms_rule_t *find_rule(const mcsec_kms_policy_t *p, int kind,
		const char *user, size_t user_len, int bit, int role)
{
	for(size_t i = 0; i < p->nrules; i++) {
		const kms_rule_t *r = &p->rules[i];
		const kms_group_t *g;
		if(r->kind != kind || !(r->dirs & bit) || r->role != role)
			continue;
		if(kind == RULE_DEFAULT)
			return r;
		if(kind == RULE_USER && strlen(r->name) == user_len
				&& !memcmp(r->name, user, user_len))
			return r;
		if(kind == RULE_GROUP) {
			g = find_group((mcsec_kms_policy_t *)p, r->name);
			if(g && group_has(g, user, user_len))
				return r;
		}
	}
	return NULL;
}

int mcsec_kms_policy_list_for(const mcsec_kms_policy_t *p, int role,
		const char *user, size_t user_len, int dir, mcsec_kms_list_t *out)
{
	static const int kinds[] = {RULE_USER, RULE_GROUP, RULE_DEFAULT};
	const kms_rule_t *hit = NULL;
	int bit;

	if(!p || !out || (!user && user_len)
			|| (dir != MCSEC_KMS_DIR_INITIATOR && dir != MCSEC_KMS_DIR_RECEIVER)
			|| role < 0 || role > MCSEC_KMS_ROLE_CS_OUTBOUND)
		return MCSEC_ERR_ARG;
	bit = 1 << dir;
	/* user, then group, then default; at each level a rule for this proxy
	 * role before a rule for every role */
	for(size_t k = 0; k < 3 && !hit; k++) {
		if(role)
			hit = find_rule(p, kinds[k], user, user_len, bit, role);
		if(!hit)
			hit = find_rule(p, kinds[k], user, user_len, bit, 0);
	}
	if(hit) {
		out->any = hit->any;
		out->n = hit->uris.n;
		out->uris = (const char *const *)hit->uris.v;
	} else {
		out->any = 0;
		out->n = p->builtin.n;
		out->uris = (const char *const *)p->builtin.v;
	}
	return MCSEC_OK;
}

int mcsec_kms_policy_list(const mcsec_kms_policy_t *p, const char *user,
		size_t user_len, int dir, mcsec_kms_list_t *out)
{
	return mcsec_kms_policy_list_for(p, 0, user, user_len, dir, out);
}

int mcsec_kms_policy_acceptable_for(const mcsec_kms_policy_t *p, int role,
		const char *user, size_t user_len, int dir, const char *kms,
		size_t kms_len)
{
	mcsec_kms_list_t l;
	if(!kms
			|| mcsec_kms_policy_list_for(p, role, user, user_len, dir, &l)
					   != MCSEC_OK)
		return 0;
	if(l.any)
		return 1;
	for(size_t i = 0; i < l.n; i++)
		if(strlen(l.uris[i]) == kms_len && !memcmp(l.uris[i], kms, kms_len))
			return 1;
	return 0;
}

int mcsec_kms_policy_acceptable(const mcsec_kms_policy_t *p, const char *user,
		size_t user_len, int dir, const char *kms, size_t kms_len)
{
	return mcsec_kms_policy_acceptable_for(
			p, 0, user, user_len, dir, kms, kms_len);
}

int mcsec_kms_policy_is_local(
		const mcsec_kms_policy_t *p, const char *user, size_t user_len)
{
	if(!p || (!user && user_len))
		return 0;
	for(size_t i = 0; i < p->local.n; i++)
		if(pattern_match(p->local.v[i], user, user_len))
			return 1;
	return 0;
}

const char *mcsec_kms_policy_home(const mcsec_kms_policy_t *p)
{
	return p ? p->home : NULL;
}

const char *mcsec_kms_policy_creator(const mcsec_kms_policy_t *p)
{
	return p ? p->creator : NULL;
}

int mcsec_kms_policy_accept_unsigned(const mcsec_kms_policy_t *p)
{
	return p ? p->accept_unsigned : 0;
}

int mcsec_kms_policy_accept_untrusted(const mcsec_kms_policy_t *p)
{
	return p ? p->accept_untrusted : 0;
}
