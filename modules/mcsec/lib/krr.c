/*
 * mcsec - KMS Redirect Response document model (TS 33.180 5.2.8.2.1,
 * D.4.4), creation (5.2.8.2.3), re-generation (5.2.8.2.4), XML writing and
 * hardened parsing.  Signing and verification are in krr_sign.c.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <openssl/rand.h>

#include "krr.h"
#include "krr_internal.h"
#include "mcsec_err.h"
#include "xml_internal.h"

/* ---- small helpers ---- */

static void list_clear(mcsec_krr_list_t *l)
{
	for(size_t i = 0; i < l->n; i++)
		free(l->uris[i]);
	free(l->uris);
	memset(l, 0, sizeof(*l));
}

static int list_add(mcsec_krr_list_t *l, const char *u, size_t len)
{
	char **nv;
	if(l->n >= MCSEC_KRR_MAX_LIST)
		return MCSEC_ERR_MALFORMED;
	nv = realloc(l->uris, (l->n + 1) * sizeof(*nv));
	if(!nv)
		return MCSEC_ERR_INTERNAL;
	l->uris = nv;
	l->uris[l->n] = strndup(u, len);
	if(!l->uris[l->n])
		return MCSEC_ERR_INTERNAL;
	l->n++;
	return MCSEC_OK;
}

static int list_copy(mcsec_krr_list_t *dst, const mcsec_krr_list_t *src)
{
	int rc = MCSEC_OK;
	memset(dst, 0, sizeof(*dst));
	dst->any = src->any;
	for(size_t i = 0; i < src->n && rc == MCSEC_OK; i++)
		rc = list_add(dst, src->uris[i], strlen(src->uris[i]));
	return rc;
}

static int list_from_policy(mcsec_krr_list_t *dst, const mcsec_kms_list_t *l)
{
	int rc = MCSEC_OK;
	memset(dst, 0, sizeof(*dst));
	dst->any = l->any;
	for(size_t i = 0; i < l->n && rc == MCSEC_OK; i++)
		rc = list_add(dst, l->uris[i], strlen(l->uris[i]));
	return rc;
}

/* URI text as written in a KRR: printable ASCII or UTF-8, no controls,
 * bounded.  (xsd:anyURI is lax; control characters are never right.) */
static int uri_text_ok(const char *s, size_t n)
{
	if(n > MCSEC_KRR_MAX_URI)
		return 0;
	for(size_t i = 0; i < n; i++)
		if((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return 0;
	return 1;
}

void mcsec_krr_free(mcsec_krr_t *k)
{
	if(!k)
		return;
	free(k->id);
	free(k->time);
	free(k->creator);
	free(k->initiator);
	free(k->initiator_kms);
	free(k->receiver);
	free(k->receiver_kms);
	list_clear(&k->init_list);
	list_clear(&k->recv_list);
	mcsec_krr_free(k->received);
	if(k->xml)
		xmlFreeDoc((xmlDocPtr)k->xml);
	free(k);
}

void mcsec_krr_ids_clear(mcsec_krr_ids_t *ids)
{
	if(!ids)
		return;
	free(ids->initiator);
	free(ids->initiator_kms);
	free(ids->receiver);
	free(ids->receiver_kms);
	memset(ids, 0, sizeof(*ids));
}

/* IDR data (RFC 6043 6.6) as a C string; must be URI text. */
static int idr_str(const mcsec_mikey_idr_t *idr, char **out)
{
	if(!idr->present) {
		*out = strdup("");
	} else {
		if(memchr(idr->data, '\0', idr->len)
				|| !uri_text_ok((const char *)idr->data, idr->len))
			return MCSEC_ERR_MALFORMED;
		*out = strndup((const char *)idr->data, idr->len);
	}
	return *out ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

static int dup_uri(const char *s, char **out)
{
	if(!uri_text_ok(s, strlen(s)))
		return MCSEC_ERR_ARG;
	*out = strdup(s);
	return *out ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

int mcsec_krr_ids_from_mikey(const mcsec_mikey_msg_t *m, const char *initiator,
		const char *receiver, mcsec_krr_ids_t *ids)
{
	int rc;

	if(!m || !ids)
		return MCSEC_ERR_ARG;
	memset(ids, 0, sizeof(*ids));
	/* E.7: hidden identities carry UIDs, which are not URIs */
	if(initiator)
		rc = dup_uri(initiator, &ids->initiator);
	else if(m->hidden_i || !m->idi.present)
		rc = MCSEC_ERR_UNSUPPORTED;
	else
		rc = idr_str(&m->idi, &ids->initiator);
	if(rc == MCSEC_OK) {
		if(receiver)
			rc = dup_uri(receiver, &ids->receiver);
		else if(m->hidden_r || !m->idr.present)
			rc = MCSEC_ERR_UNSUPPORTED;
		else
			rc = idr_str(&m->idr, &ids->receiver);
	}
	if(rc == MCSEC_OK)
		rc = idr_str(&m->kmsi, &ids->initiator_kms);
	if(rc == MCSEC_OK)
		rc = idr_str(&m->kmsr, &ids->receiver_kms);
	if(rc != MCSEC_OK)
		mcsec_krr_ids_clear(ids);
	return rc;
}

/* 16 hex digits from 8 random octets. */
static int new_id(char **out)
{
	static const char hx[] = "0123456789abcdef";
	uint8_t r[8];
	char *s = malloc(17);
	if(!s)
		return MCSEC_ERR_INTERNAL;
	if(RAND_bytes(r, sizeof(r)) != 1) {
		free(s);
		return MCSEC_ERR_INTERNAL;
	}
	for(size_t i = 0; i < sizeof(r); i++) {
		s[2 * i] = hx[r[i] >> 4];
		s[2 * i + 1] = hx[r[i] & 15];
	}
	s[16] = '\0';
	*out = s;
	return MCSEC_OK;
}

static int id_used(const mcsec_krr_t *k, const char *id)
{
	for(; k; k = k->received)
		if(k->id && !strcmp(k->id, id))
			return 1;
	return 0;
}

/* xsd:dateTime in UTC (5.2.8.2.1 "the date and time"). */
static int time_str(time_t now, char **out)
{
	struct tm tm;
	char buf[40];
	if(!gmtime_r(&now, &tm))
		return MCSEC_ERR_ARG;
	if(!strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return MCSEC_ERR_INTERNAL;
	*out = strdup(buf);
	return *out ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

/* A new KRR header: id (unique against below), time, creator and the
 * four MIKEY identities. */
static int krr_new(const char *creator, time_t now, const char *ini,
		const char *ini_kms, const char *rcv, const char *rcv_kms,
		const mcsec_krr_t *below, mcsec_krr_t **out)
{
	mcsec_krr_t *k = calloc(1, sizeof(*k));
	int rc;

	if(!k)
		return MCSEC_ERR_INTERNAL;
	do {
		free(k->id);
		k->id = NULL;
		rc = new_id(&k->id);
	} while(rc == MCSEC_OK && id_used(below, k->id));
	if(rc == MCSEC_OK)
		rc = time_str(now, &k->time);
	if(rc == MCSEC_OK)
		rc = dup_uri(creator, &k->creator);
	if(rc == MCSEC_OK)
		rc = dup_uri(ini, &k->initiator);
	if(rc == MCSEC_OK)
		rc = dup_uri(ini_kms, &k->initiator_kms);
	if(rc == MCSEC_OK)
		rc = dup_uri(rcv, &k->receiver);
	if(rc == MCSEC_OK)
		rc = dup_uri(rcv_kms, &k->receiver_kms);
	if(rc != MCSEC_OK) {
		mcsec_krr_free(k);
		return rc;
	}
	k->levels = 1;
	*out = k;
	return MCSEC_OK;
}

static int policy_list(const mcsec_kms_policy_t *p, int role, const char *user,
		int dir, mcsec_krr_list_t *dst)
{
	mcsec_kms_list_t l;
	int rc = mcsec_kms_policy_list_for(p, role, user, strlen(user), dir, &l);
	return rc == MCSEC_OK ? list_from_policy(dst, &l) : rc;
}

static int acceptable(const mcsec_kms_policy_t *p, int role, const char *user,
		int dir, const char *kms)
{
	return mcsec_kms_policy_acceptable_for(
			p, role, user, strlen(user), dir, kms, strlen(kms));
}

/* ---- 5.2.8.2.3 creation ---- */

int mcsec_krr_create(const mcsec_kms_policy_t *p, int role,
		const mcsec_krr_ids_t *ids, const char *creator, time_t now,
		mcsec_krr_t **out, char *kcase)
{
	int bad_i = 0, bad_r = 0, rc;
	char c = 0;
	mcsec_krr_t *k;

	if(!p || !ids || !out || !creator || !ids->initiator || !ids->receiver
			|| !ids->initiator_kms || !ids->receiver_kms)
		return MCSEC_ERR_ARG;
	*out = NULL;
	if(kcase)
		*kcase = 0;
	switch(role) {
		case MCSEC_KRR_ROLE_CS_INBOUND: /* case A */
			bad_i = !acceptable(p, role, ids->initiator,
					MCSEC_KMS_DIR_INITIATOR, ids->initiator_kms);
			c = 'A';
			break;
		case MCSEC_KRR_ROLE_IS: /* cases B and C */
			bad_i = mcsec_kms_policy_is_local(
							p, ids->initiator, strlen(ids->initiator))
					&& !acceptable(p, role, ids->initiator,
							MCSEC_KMS_DIR_INITIATOR, ids->initiator_kms);
			bad_r = mcsec_kms_policy_is_local(
							p, ids->receiver, strlen(ids->receiver))
					&& !acceptable(p, role, ids->receiver,
							MCSEC_KMS_DIR_RECEIVER, ids->receiver_kms);
			c = bad_i ? 'B' : 'C';
			break;
		case MCSEC_KRR_ROLE_CS_OUTBOUND: /* case D */
			bad_r = !acceptable(p, role, ids->receiver, MCSEC_KMS_DIR_RECEIVER,
					ids->receiver_kms);
			c = 'D';
			break;
		default:
			return MCSEC_ERR_ARG;
	}
	if(!bad_i && !bad_r)
		return MCSEC_OK;
	rc = krr_new(creator, now, ids->initiator, ids->initiator_kms,
			ids->receiver, ids->receiver_kms, NULL, &k);
	if(rc != MCSEC_OK)
		return rc;
	/* the list of the side at fault is the acceptable list in preference
	 * order; the other side is 'ANY' */
	if(bad_i)
		rc = policy_list(p, role, ids->initiator, MCSEC_KMS_DIR_INITIATOR,
				&k->init_list);
	else
		k->init_list.any = 1;
	if(rc == MCSEC_OK && bad_r)
		rc = policy_list(
				p, role, ids->receiver, MCSEC_KMS_DIR_RECEIVER, &k->recv_list);
	else
		k->recv_list.any = 1;
	if(rc != MCSEC_OK) {
		mcsec_krr_free(k);
		return rc;
	}
	*out = k;
	if(kcase)
		*kcase = c;
	return MCSEC_OK;
}

/* ---- 5.2.8.2.4 re-generation ---- */

/* Reduce in to the URIs acceptable for user/dir; *changed = 1 if any
 * was removed (ANY counts as unacceptable unless the policy says ANY). */
static int reduce(const mcsec_kms_policy_t *p, int role, const char *user,
		int dir, const mcsec_krr_list_t *in, mcsec_krr_list_t *out,
		int *changed)
{
	mcsec_kms_list_t l;
	int rc = mcsec_kms_policy_list_for(p, role, user, strlen(user), dir, &l);

	*changed = 0;
	memset(out, 0, sizeof(*out));
	if(rc != MCSEC_OK)
		return rc;
	if(l.any)
		return list_copy(out, in);
	if(in->any) {
		*changed = 1;
		return list_from_policy(out, &l);
	}
	for(size_t i = 0; i < in->n && rc == MCSEC_OK; i++) {
		if(acceptable(p, role, user, dir, in->uris[i]))
			rc = list_add(out, in->uris[i], strlen(in->uris[i]));
		else
			*changed = 1;
	}
	return rc;
}

static int copy_tree(const mcsec_krr_t *rx, mcsec_krr_t **out);

int mcsec_krr_regenerate(const mcsec_kms_policy_t *p, int role,
		const mcsec_krr_t *rx, const char *creator, time_t now,
		mcsec_krr_t **out, int *action, char *kcase)
{
	mcsec_krr_list_t il, rl;
	int do_i = 0, do_r = 0, ch_i = 0, ch_r = 0, rc = MCSEC_OK;
	char c = 0;
	mcsec_krr_t *k = NULL;

	if(!p || !rx || !out || !action || !creator || !rx->xml)
		return MCSEC_ERR_ARG;
	*out = NULL;
	*action = MCSEC_KRR_FORWARD;
	if(kcase)
		*kcase = 0;
	memset(&il, 0, sizeof(il));
	memset(&rl, 0, sizeof(rl));
	switch(role) {
		case MCSEC_KRR_ROLE_CS_INBOUND: /* case A: receiver list */
			do_r = 1;
			c = 'A';
			break;
		case MCSEC_KRR_ROLE_IS: /* B: receiver of this domain; C: initiator */
			do_r = mcsec_kms_policy_is_local(
					p, rx->receiver, strlen(rx->receiver));
			do_i = mcsec_kms_policy_is_local(
					p, rx->initiator, strlen(rx->initiator));
			break;
		case MCSEC_KRR_ROLE_CS_OUTBOUND: /* case D: initiator list */
			do_i = 1;
			c = 'D';
			break;
		default:
			return MCSEC_ERR_ARG;
	}
	if(do_r)
		rc = reduce(p, role, rx->receiver, MCSEC_KMS_DIR_RECEIVER,
				&rx->recv_list, &rl, &ch_r);
	else
		rc = list_copy(&rl, &rx->recv_list);
	if(rc == MCSEC_OK && do_i)
		rc = reduce(p, role, rx->initiator, MCSEC_KMS_DIR_INITIATOR,
				&rx->init_list, &il, &ch_i);
	else if(rc == MCSEC_OK)
		rc = list_copy(&il, &rx->init_list);
	if(rc != MCSEC_OK)
		goto done;
	if(!ch_i && !ch_r)
		goto done; /* nothing unacceptable: forward */
	if(role == MCSEC_KRR_ROLE_IS)
		c = ch_r ? 'B' : 'C';
	if(kcase)
		*kcase = c;
	/* 5.2.8.2.4: at most MCSEC_KRR_MAX_LEVELS levels */
	if(rx->levels + 1 > MCSEC_KRR_MAX_LEVELS) {
		*action = MCSEC_KRR_TOO_DEEP;
		goto done;
	}
	rc = krr_new(creator, now, rx->initiator, rx->initiator_kms, rx->receiver,
			rx->receiver_kms, rx, &k);
	if(rc != MCSEC_OK)
		goto done;
	k->init_list = il;
	k->recv_list = rl;
	memset(&il, 0, sizeof(il));
	memset(&rl, 0, sizeof(rl));
	rc = copy_tree(rx, &k->received);
	if(rc != MCSEC_OK) {
		mcsec_krr_free(k);
		goto done;
	}
	k->levels = rx->levels + 1;
	*out = k;
	*action = MCSEC_KRR_REPLACE;
done:
	list_clear(&il);
	list_clear(&rl);
	return rc;
}

/* ---- parsing (D.4.4) ---- */

static const char *const fields[] = {"Time", "KRRCreatorUri", "InitiatorUri",
		"InitiatorKmsUri", "ReceiverUri", "ReceiverKmsUri"};

/* xsd:dateTime lexical form: -?YYYY(Y*)-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)? */
static int datetime_ok(const char *s)
{
	size_t i = 0, y = 0;
	if(s[i] == '-')
		i++;
	while(s[i] >= '0' && s[i] <= '9')
		i++, y++;
	if(y < 4 || y > 9)
		return 0;
#define D2(off)                                                \
	(s[(off)] >= '0' && s[(off)] <= '9' && s[(off) + 1] >= '0' \
			&& s[(off) + 1] <= '9')
	if(s[i] != '-' || !D2(i + 1) || s[i + 3] != '-' || !D2(i + 4)
			|| s[i + 6] != 'T' || !D2(i + 7) || s[i + 9] != ':' || !D2(i + 10)
			|| s[i + 12] != ':' || !D2(i + 13))
		return 0;
	{
		int mo = (s[i + 1] - '0') * 10 + s[i + 2] - '0';
		int d = (s[i + 4] - '0') * 10 + s[i + 5] - '0';
		int h = (s[i + 7] - '0') * 10 + s[i + 8] - '0';
		int mi = (s[i + 10] - '0') * 10 + s[i + 11] - '0';
		int se = (s[i + 13] - '0') * 10 + s[i + 14] - '0';
		if(mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || se > 59
				|| (h == 24 && (mi || se)))
			return 0;
	}
	i += 15;
	if(s[i] == '.') {
		size_t f = 0;
		i++;
		while(s[i] >= '0' && s[i] <= '9')
			i++, f++;
		if(!f)
			return 0;
	}
	if(s[i] == 'Z')
		i++;
	else if(s[i] == '+' || s[i] == '-') {
		if(!D2(i + 1) || s[i + 3] != ':' || !D2(i + 4))
			return 0;
		i += 6;
	}
#undef D2
	return s[i] == '\0';
}

/* Text of an element that holds only text, whitespace-collapsed at both
 * ends (xsd:anyURI / xsd:dateTime whiteSpace collapse). */
static int elem_text(xmlNodePtr n, char **out)
{
	xmlChar *t;
	size_t a = 0, b;
	if(n->properties)
		return MCSEC_ERR_MALFORMED;
	t = mcsec_xml_text(n);
	if(!t)
		return MCSEC_ERR_MALFORMED;
	b = strlen((const char *)t);
	while(a < b && strchr(" \t\r\n", t[a]))
		a++;
	while(b > a && strchr(" \t\r\n", t[b - 1]))
		b--;
	if(!uri_text_ok((const char *)t + a, b - a)) {
		xmlFree(t);
		return MCSEC_ERR_MALFORMED;
	}
	*out = strndup((const char *)t + a, b - a);
	xmlFree(t);
	return *out ? MCSEC_OK : MCSEC_ERR_INTERNAL;
}

/* An element from another namespace (the ##other wildcards). */
static int is_other(xmlNodePtr n)
{
	return n->ns && n->ns->href
		   && strcmp((const char *)n->ns->href, MCSEC_KRR_NS);
}

static int parse_list(xmlNodePtr l, mcsec_krr_list_t *out)
{
	int bad = 0, rc;
	xmlNodePtr c;

	memset(out, 0, sizeof(*out));
	for(xmlAttrPtr a = l->properties; a; a = a->next)
		if(!a->ns) /* anyAttribute ##other only */
			return MCSEC_ERR_MALFORMED;
	c = mcsec_xml_next_elem(l->children, &bad);
	if(c && mcsec_xml_is(c, MCSEC_KRR_NS, "ANY")) {
		/* fixed="" and no attributes */
		if(c->properties || c->children)
			return MCSEC_ERR_MALFORMED;
		out->any = 1;
		c = mcsec_xml_next_elem(c->next, &bad);
	} else {
		while(c && mcsec_xml_is(c, MCSEC_KRR_NS, "KmsUri")) {
			char *u;
			rc = elem_text(c, &u);
			if(rc != MCSEC_OK)
				return rc;
			rc = list_add(out, u, strlen(u));
			free(u);
			if(rc != MCSEC_OK)
				return rc;
			c = mcsec_xml_next_elem(c->next, &bad);
		}
	}
	while(c && is_other(c) && !mcsec_xml_is(c, MCSEC_DSIG_NS, "Signature"))
		c = mcsec_xml_next_elem(c->next, &bad);
	return (c || bad) ? MCSEC_ERR_MALFORMED : MCSEC_OK;
}

static int parse_krr(xmlNodePtr root, size_t level, mcsec_krr_t **out)
{
	mcsec_krr_t *k;
	char **dst[6];
	xmlNodePtr c;
	int bad = 0, rc = MCSEC_OK;

	if(level > MCSEC_KRR_PARSE_MAX_LEVELS)
		return MCSEC_ERR_MALFORMED;
	if(!mcsec_xml_is(root, MCSEC_KRR_NS, "KmsRedirectResponse"))
		return MCSEC_ERR_MALFORMED;
	k = calloc(1, sizeof(*k));
	if(!k)
		return MCSEC_ERR_INTERNAL;
	k->node = root;
	for(xmlAttrPtr a = root->properties; a && rc == MCSEC_OK; a = a->next) {
		xmlChar *v;
		if(a->ns)
			continue; /* anyAttribute ##other */
		v = xmlNodeListGetString(root->doc, a->children, 1);
		if(!v) {
			rc = MCSEC_ERR_MALFORMED;
		} else if(!strcmp((const char *)a->name, "Id")) {
			if(!*v || strlen((const char *)v) > 128
					|| !uri_text_ok((const char *)v, strlen((const char *)v)))
				rc = MCSEC_ERR_MALFORMED;
			else if(!(k->id = strdup((const char *)v)))
				rc = MCSEC_ERR_INTERNAL;
		} else if(!strcmp((const char *)a->name, "Version")) {
			if(strcmp((const char *)v, MCSEC_KRR_VERSION))
				rc = MCSEC_ERR_UNSUPPORTED;
		} else {
			rc = MCSEC_ERR_MALFORMED;
		}
		if(v)
			xmlFree(v);
	}
	dst[0] = &k->time;
	dst[1] = &k->creator;
	dst[2] = &k->initiator;
	dst[3] = &k->initiator_kms;
	dst[4] = &k->receiver;
	dst[5] = &k->receiver_kms;
	c = mcsec_xml_next_elem(root->children, &bad);
	for(size_t i = 0; i < 6 && rc == MCSEC_OK; i++) {
		if(!c || !mcsec_xml_is(c, MCSEC_KRR_NS, fields[i]))
			rc = MCSEC_ERR_MALFORMED;
		else
			rc = elem_text(c, dst[i]);
		if(rc == MCSEC_OK)
			c = mcsec_xml_next_elem(c->next, &bad);
	}
	if(rc == MCSEC_OK && !datetime_ok(k->time))
		rc = MCSEC_ERR_MALFORMED;
	if(rc == MCSEC_OK) {
		if(!c || !mcsec_xml_is(c, MCSEC_KRR_NS, "InitiatorKmsList"))
			rc = MCSEC_ERR_MALFORMED;
		else
			rc = parse_list(c, &k->init_list);
	}
	if(rc == MCSEC_OK) {
		c = mcsec_xml_next_elem(c->next, &bad);
		if(!c || !mcsec_xml_is(c, MCSEC_KRR_NS, "ReceiverKmsList"))
			rc = MCSEC_ERR_MALFORMED;
		else
			rc = parse_list(c, &k->recv_list);
	}
	if(rc == MCSEC_OK)
		c = mcsec_xml_next_elem(c->next, &bad);
	k->levels = 1;
	if(rc == MCSEC_OK && c
			&& mcsec_xml_is(c, MCSEC_KRR_NS, "ReceivedKmsRedirectResponse")) {
		xmlNodePtr in = mcsec_xml_next_elem(c->children, &bad);
		if(c->properties || !in || mcsec_xml_next_elem(in->next, &bad) || bad)
			rc = MCSEC_ERR_MALFORMED;
		else
			rc = parse_krr(in, level + 1, &k->received);
		if(rc == MCSEC_OK) {
			k->levels = k->received->levels + 1;
			c = mcsec_xml_next_elem(c->next, &bad);
		}
	}
	/* extensions (##other), then at most one ds:Signature, last */
	while(rc == MCSEC_OK && c && is_other(c)
			&& !mcsec_xml_is(c, MCSEC_DSIG_NS, "Signature"))
		c = mcsec_xml_next_elem(c->next, &bad);
	if(rc == MCSEC_OK && c && mcsec_xml_is(c, MCSEC_DSIG_NS, "Signature")) {
		k->has_signature = 1;
		c = mcsec_xml_next_elem(c->next, &bad);
	}
	if(rc == MCSEC_OK && (c || bad))
		rc = MCSEC_ERR_MALFORMED;
	if(rc != MCSEC_OK) {
		mcsec_krr_free(k);
		return rc;
	}
	*out = k;
	return MCSEC_OK;
}

int mcsec_krr_parse(const char *buf, size_t len, mcsec_krr_t **out)
{
	xmlDocPtr doc;
	mcsec_krr_t *k;
	int rc;

	if(!buf || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	rc = mcsec_xml_parse(buf, len, &doc);
	if(rc != MCSEC_OK)
		return rc;
	rc = parse_krr(xmlDocGetRootElement(doc), 1, &k);
	if(rc != MCSEC_OK) {
		xmlFreeDoc(doc);
		return rc;
	}
	k->xml = doc;
	*out = k;
	return MCSEC_OK;
}

/* A fully owned copy of a parsed KRR (its own copy of the tree). */
static int copy_tree(const mcsec_krr_t *rx, mcsec_krr_t **out)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr n;
	int rc;

	if(!doc)
		return MCSEC_ERR_INTERNAL;
	n = xmlDocCopyNode((xmlNodePtr)rx->node, doc, 1);
	if(!n) {
		xmlFreeDoc(doc);
		return MCSEC_ERR_INTERNAL;
	}
	xmlDocSetRootElement(doc, n);
	rc = mcsec_xml_register_ids(doc);
	if(rc == MCSEC_OK)
		rc = parse_krr(n, 1, out);
	if(rc != MCSEC_OK) {
		xmlFreeDoc(doc);
		return rc;
	}
	(*out)->xml = doc;
	return MCSEC_OK;
}

/* ---- writing ---- */

static int add_text(
		xmlNodePtr parent, xmlNsPtr ns, const char *name, const char *text)
{
	return xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST text)
				   ? MCSEC_OK
				   : MCSEC_ERR_INTERNAL;
}

static int add_list(xmlNodePtr parent, xmlNsPtr ns, const char *name,
		const mcsec_krr_list_t *l)
{
	xmlNodePtr e = xmlNewChild(parent, ns, BAD_CAST name, NULL);
	int rc = MCSEC_OK;
	if(!e)
		return MCSEC_ERR_INTERNAL;
	if(l->any)
		return xmlNewChild(e, ns, BAD_CAST "ANY", NULL) ? MCSEC_OK
														: MCSEC_ERR_INTERNAL;
	for(size_t i = 0; i < l->n && rc == MCSEC_OK; i++)
		rc = add_text(e, ns, "KmsUri", l->uris[i]);
	return rc;
}

int mcsec_krr_build_doc(const mcsec_krr_t *k, xmlDocPtr *out)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	xmlNsPtr ns;
	const char *vals[6];
	int rc = MCSEC_OK;

	if(!k || !out || !k->id || !k->time || !k->creator || !k->initiator
			|| !k->initiator_kms || !k->receiver || !k->receiver_kms)
		return MCSEC_ERR_ARG;
	mcsec_krr_init();
	doc = xmlNewDoc(BAD_CAST "1.0");
	if(!doc)
		return MCSEC_ERR_INTERNAL;
	root = xmlNewDocNode(doc, NULL, BAD_CAST "KmsRedirectResponse", NULL);
	if(!root) {
		xmlFreeDoc(doc);
		return MCSEC_ERR_INTERNAL;
	}
	xmlDocSetRootElement(doc, root);
	/* only the default namespace on the root: an embedded KRR then keeps
	 * the same in-scope namespaces for C14N 1.0 as where it was signed */
	ns = xmlNewNs(root, BAD_CAST MCSEC_KRR_NS, NULL);
	if(!ns) {
		xmlFreeDoc(doc);
		return MCSEC_ERR_INTERNAL;
	}
	xmlSetNs(root, ns);
	if(!xmlSetProp(root, BAD_CAST "Version", BAD_CAST MCSEC_KRR_VERSION)
			|| !xmlSetProp(root, BAD_CAST "Id", BAD_CAST k->id))
		rc = MCSEC_ERR_INTERNAL;
	vals[0] = k->time;
	vals[1] = k->creator;
	vals[2] = k->initiator;
	vals[3] = k->initiator_kms;
	vals[4] = k->receiver;
	vals[5] = k->receiver_kms;
	for(size_t i = 0; i < 6 && rc == MCSEC_OK; i++)
		rc = add_text(root, ns, fields[i], vals[i]);
	if(rc == MCSEC_OK)
		rc = add_list(root, ns, "InitiatorKmsList", &k->init_list);
	if(rc == MCSEC_OK)
		rc = add_list(root, ns, "ReceiverKmsList", &k->recv_list);
	if(rc == MCSEC_OK && k->received) {
		xmlNodePtr r = xmlNewChild(
				root, ns, BAD_CAST "ReceivedKmsRedirectResponse", NULL);
		xmlNodePtr c = r ? xmlDocCopyNode((xmlNodePtr)k->received->node, doc, 1)
						 : NULL;
		if(!c || !xmlAddChild(r, c)) {
			if(c)
				xmlFreeNode(c);
			rc = MCSEC_ERR_INTERNAL;
		}
	}
	if(rc == MCSEC_OK)
		rc = mcsec_xml_register_ids(doc);
	if(rc != MCSEC_OK) {
		xmlFreeDoc(doc);
		return rc;
	}
	*out = doc;
	return MCSEC_OK;
}

int mcsec_krr_write(const mcsec_krr_t *k, const mcsec_krr_signer_t *signer,
		char **xml, size_t *len)
{
	xmlDocPtr doc;
	int rc;

	if(!xml || !len)
		return MCSEC_ERR_ARG;
	rc = mcsec_krr_build_doc(k, &doc);
	if(rc != MCSEC_OK)
		return rc;
	if(signer)
		rc = mcsec_krr_sign_doc(doc, signer);
	if(rc == MCSEC_OK)
		rc = mcsec_xml_serialize(doc, xml, len);
	xmlFreeDoc(doc);
	return rc;
}

int mcsec_krr_received_ok(const mcsec_kms_policy_t *p, int sig)
{
	switch(sig) {
		case MCSEC_KRR_SIG_VALID:
			return 1;
		case MCSEC_KRR_SIG_ABSENT:
			return mcsec_kms_policy_accept_unsigned(p);
		case MCSEC_KRR_SIG_UNTRUSTED:
			return mcsec_kms_policy_accept_untrusted(p);
		default:
			return 0;
	}
}

const char *mcsec_krr_sig_name(int sig)
{
	switch(sig) {
		case MCSEC_KRR_SIG_VALID:
			return "valid";
		case MCSEC_KRR_SIG_ABSENT:
			return "absent";
		case MCSEC_KRR_SIG_UNTRUSTED:
			return "untrusted";
		case MCSEC_KRR_SIG_INVALID:
			return "invalid";
		default:
			return "unknown";
	}
}
