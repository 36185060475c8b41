/*
 * mcsec - hardened XML parsing for signalling bodies (TS 33.180 9.3 input is
 * untrusted): no network, no DTD (internal or external), no entity
 * declarations or expansion, bounded size and depth, Id attributes
 * registered explicitly with duplicates rejected.  Also the process-wide
 * init/shutdown and small tree helpers shared by the XML protection files.
 */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/valid.h>
#include <libxml/xmlsave.h>
#include <openssl/crypto.h>

#include "encoding.h"
#include "kdf.h"
#include "mcsec_err.h"
#include "xml_internal.h"
#include "xml_mem.h"

#define PARSE_OPTS                                             \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING \
			| XML_PARSE_NOCDATA)

/* Set once per process by mcsec_xml_init() (documented global state). */
static int xml_inited;

/*
 * libxml2 memory functions that wipe every block before releasing it.
 *
 * Decrypted XML (TS 33.180 9.3.4: access tokens, MC service IDs, call and
 * group identities) and the KMS key material parsed from XML get copied by
 * libxml2 into its own heap blocks: node contents, attribute values, the
 * dictionary, parser input buffers, xmlBuffer / xmlOutputBuffer
 * serialisations, and xmlsec1's xmlSecBuffers (xmlsec1 allocates through
 * xmlMalloc too).  libxml2 routes all of these through the xmlFree /
 * xmlMalloc / xmlRealloc / xmlMemStrdup globals, so installing these
 * wrappers with xmlMemSetup() wipes the plaintext wherever libxml2 keeps it.
 *
 * The wrappers sit directly on the C library's malloc family, which is also
 * libxml2's default (free, malloc, realloc, xmlStrdup -> xmlMalloc).  So the
 * libxml2 rule "call xmlMemSetup() before any other libxml routine" is met
 * even when it is not literally first (another Kamailio module or xmlsec1
 * used libxml2 earlier): a block that libxml2 took from plain malloc() and
 * releases through wipe_free() is an ordinary block of the same heap
 * (malloc_usable_size() and free() are valid for it), and a block that we
 * handed out and that is released with plain free() after
 * mcsec_xml_shutdown() is equally ordinary.  The one unsafe case is a
 * different allocator already installed by someone else (their blocks are
 * not ours to size or free): mcsec_xml_init() then leaves it in place and
 * mcsec_xml_wipe_active() reports 0.  malloc_usable_size() is glibc's (also
 * provided by jemalloc/tcmalloc and by the sanitizer runtimes, which report
 * the requested size).
 */
static int wipe_active;
static xmlFreeFunc prev_free;
static xmlMallocFunc prev_malloc;
static xmlReallocFunc prev_realloc;
static xmlStrdupFunc prev_strdup;

void mcsec_xml_wipe_block(void *p)
{
	if(p)
		explicit_bzero(p, malloc_usable_size(p));
}

static void wipe_free(void *p)
{
	if(!p)
		return;
	mcsec_xml_wipe_block(p);
	free(p);
}

static void *plain_malloc(size_t n)
{
	return malloc(n);
}

/* xmlReallocFunc: NULL mem acts as malloc; NULL result means failure with
 * mem left untouched (callers keep and later free it), so a zero size gets
 * a 1-octet block rather than NULL.  Never glibc realloc(): moving a block
 * would release the old copy unwiped; this always moves, wiping the old. */
static void *wipe_realloc(void *p, size_t n)
{
	void *q = malloc(n ? n : 1);
	size_t old;

	if(!q || !p)
		return q;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	wipe_free(p);
	return q;
}

static char *plain_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int mcsec_xml_wipe_active(void)
{
	return wipe_active;
}

/* Install the wiping functions unless another allocator is in place. */
void mcsec_xml_mem_init(void)
{
	xmlFreeFunc f = NULL;
	xmlMallocFunc m = NULL;
	xmlReallocFunc r = NULL;
	xmlStrdupFunc s = NULL;

	if(xmlMemGet(&f, &m, &r, &s) != 0)
		return;
	if(f == wipe_free) {
		wipe_active = 1;
		return;
	}
	if(f != (xmlFreeFunc)free || m != (xmlMallocFunc)malloc
			|| r != (xmlReallocFunc)realloc)
		return;
	if(xmlMemSetup(wipe_free, plain_malloc, wipe_realloc, plain_strdup) != 0)
		return;
	prev_free = f;
	prev_malloc = m;
	prev_realloc = r;
	prev_strdup = s;
	wipe_active = 1;
}

/* After xmlCleanupParser(): the saved defaults come back so that nothing in
 * libxml2 points into this code any more (blocks still alive are ordinary
 * malloc blocks, see above). */
static void wipe_uninstall(void)
{
	xmlFreeFunc f = NULL;
	xmlMallocFunc m = NULL;
	xmlReallocFunc r = NULL;
	xmlStrdupFunc s = NULL;

	if(prev_free && xmlMemGet(&f, &m, &r, &s) == 0 && f == wipe_free)
		xmlMemSetup(prev_free, prev_malloc, prev_realloc, prev_strdup);
	prev_free = NULL;
	wipe_active = 0;
}

/* Every external load (DTD, entity, XInclude) is refused. */
static xmlParserInputPtr no_external_loader(
		const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

int mcsec_xml_init(void)
{
	if(xml_inited)
		return MCSEC_OK;
	/* before xmlInitParser(): its dictionary and handlers are allocated
	 * through the new functions already */
	mcsec_xml_mem_init();
	xmlInitParser();
	xmlSetExternalEntityLoader(no_external_loader);
	xml_inited = 1;
	return MCSEC_OK;
}

void mcsec_xml_shutdown(void)
{
	if(!xml_inited)
		return;
	xmlCleanupParser();
	wipe_uninstall();
	xml_inited = 0;
}

/* SAX hooks: any DTD or entity declaration stops the parse. */
static void reject_dtd(
		void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid)
{
	xmlParserCtxtPtr ctxt = ctx;
	(void)name;
	(void)eid;
	(void)sid;
	*(int *)ctxt->_private = 1;
	xmlStopParser(ctxt);
}

static void reject_entity(void *ctx, const xmlChar *name, int type,
		const xmlChar *pid, const xmlChar *sid, xmlChar *content)
{
	xmlParserCtxtPtr ctxt = ctx;
	(void)name;
	(void)type;
	(void)pid;
	(void)sid;
	(void)content;
	*(int *)ctxt->_private = 1;
	xmlStopParser(ctxt);
}

int mcsec_xml_depth(xmlNodePtr n)
{
	int d = 0;
	for(; n && n->type != XML_DOCUMENT_NODE; n = n->parent)
		d++;
	return d;
}

/* Iterative walk of the subtree at top: depth bound, no entity reference,
 * DTD or XInclude nodes. */
static int check_tree(xmlNodePtr top, int base_depth)
{
	xmlNodePtr n = top;
	int depth = base_depth;

	for(;;) {
		if(n->type == XML_ENTITY_REF_NODE || n->type == XML_DTD_NODE
				|| n->type == XML_ENTITY_DECL || n->type == XML_XINCLUDE_START
				|| n->type == XML_XINCLUDE_END)
			return MCSEC_ERR_UNSUPPORTED;
		if(n->type == XML_ELEMENT_NODE && depth > MCSEC_XML_MAX_DEPTH)
			return MCSEC_ERR_MALFORMED;
		/* a prefixed name left without a namespace: undeclared prefix */
		if(n->type == XML_ELEMENT_NODE) {
			if(!n->ns && strchr((const char *)n->name, ':'))
				return MCSEC_ERR_MALFORMED;
			for(xmlAttrPtr a = n->properties; a; a = a->next)
				if(!a->ns && strchr((const char *)a->name, ':'))
					return MCSEC_ERR_MALFORMED;
		}
		if(n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			depth++;
			continue;
		}
		while(n != top && !n->next) {
			n = n->parent;
			depth--;
		}
		if(n == top)
			return MCSEC_OK;
		n = n->next;
	}
}

static int is_id_attr(xmlAttrPtr a)
{
	if(a->ns == NULL)
		return !strcmp((const char *)a->name, "Id")
			   || !strcmp((const char *)a->name, "ID")
			   || !strcmp((const char *)a->name, "id");
	return a->ns->href
		   && !strcmp((const char *)a->ns->href,
				   "http://www.w3.org/XML/1998/namespace")
		   && !strcmp((const char *)a->name, "id");
}

/* Registers Id / ID / id / xml:id values; a value used twice is rejected
 * (a reference must have exactly one target). */
int mcsec_xml_register_ids(xmlDocPtr doc)
{
	xmlNodePtr n = xmlDocGetRootElement(doc);

	while(n) {
		if(n->type == XML_ELEMENT_NODE) {
			for(xmlAttrPtr a = n->properties; a; a = a->next) {
				xmlChar *v;
				xmlAttrPtr prev;
				if(!is_id_attr(a))
					continue;
				v = xmlNodeListGetString(doc, a->children, 1);
				if(!v)
					return MCSEC_ERR_MALFORMED;
				prev = xmlGetID(doc, v);
				if(prev && prev != a) {
					xmlFree(v);
					return MCSEC_ERR_MALFORMED;
				}
				if(!prev && !xmlAddID(NULL, doc, v, a)) {
					xmlFree(v);
					return MCSEC_ERR_INTERNAL;
				}
				xmlFree(v);
			}
		}
		if(n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while(n && !n->next)
			n = n->parent;
		if(n && n->type != XML_DOCUMENT_NODE)
			n = n->next;
		else
			n = NULL;
	}
	return MCSEC_OK;
}

int mcsec_xml_parse(const char *buf, size_t len, xmlDocPtr *out)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	int dtd = 0, rc;

	if(!buf || !out)
		return MCSEC_ERR_ARG;
	*out = NULL;
	if(len == 0 || len > MCSEC_XML_MAX_DOC)
		return MCSEC_ERR_MALFORMED;
	mcsec_xml_init();
	ctxt = xmlCreateMemoryParserCtxt(buf, (int)len);
	if(!ctxt)
		return MCSEC_ERR_INTERNAL;
	xmlCtxtUseOptions(ctxt, PARSE_OPTS);
	ctxt->_private = &dtd;
	ctxt->sax->internalSubset = reject_dtd;
	ctxt->sax->externalSubset = reject_dtd;
	ctxt->sax->entityDecl = reject_entity;
	/* validity messages (e.g. a repeated xml:id) stay quiet too */
	ctxt->vctxt.error = NULL;
	ctxt->vctxt.warning = NULL;
	xmlParseDocument(ctxt);
	doc = ctxt->myDoc;
	ctxt->myDoc = NULL;
	/* an undeclared prefix (nsWellFormed) would leave "ds:Signature" as a
	 * plain name: refused like any other namespace error */
	if(dtd || !ctxt->wellFormed || !ctxt->nsWellFormed) {
		xmlFreeParserCtxt(ctxt);
		if(doc)
			xmlFreeDoc(doc);
		return dtd ? MCSEC_ERR_UNSUPPORTED : MCSEC_ERR_MALFORMED;
	}
	xmlFreeParserCtxt(ctxt);
	if(!doc)
		return MCSEC_ERR_MALFORMED;
	if(doc->intSubset || doc->extSubset || !xmlDocGetRootElement(doc)) {
		xmlFreeDoc(doc);
		return MCSEC_ERR_UNSUPPORTED;
	}
	rc = check_tree(xmlDocGetRootElement(doc), 1);
	if(rc == MCSEC_OK)
		rc = mcsec_xml_register_ids(doc);
	if(rc != MCSEC_OK) {
		xmlFreeDoc(doc);
		return rc;
	}
	*out = doc;
	return MCSEC_OK;
}

int mcsec_xml_parse_content(
		xmlNodePtr parent, const char *buf, size_t len, xmlNodePtr *list)
{
	xmlNodePtr l = NULL;
	int base, rc;

	*list = NULL;
	if(len > MCSEC_XML_MAX_DOC)
		return MCSEC_ERR_MALFORMED;
	if(len == 0)
		return MCSEC_OK;
	/* "<!" other than a comment or CDATA could only be a (rejected)
	 * declaration; the content parser refuses DOCTYPE by itself */
	if(xmlParseInNodeContext(parent, buf, (int)len, PARSE_OPTS, &l)
			!= XML_ERR_OK) {
		if(l)
			xmlFreeNodeList(l);
		return MCSEC_ERR_MALFORMED;
	}
	base = mcsec_xml_depth(parent) + 1;
	for(xmlNodePtr n = l; n; n = n->next) {
		rc = check_tree(n, base);
		if(rc != MCSEC_OK) {
			xmlFreeNodeList(l);
			return rc;
		}
	}
	*list = l;
	return MCSEC_OK;
}

int mcsec_xml_serialize(xmlDocPtr doc, char **out, size_t *out_len)
{
	xmlChar *mem = NULL;
	int size = 0;
	char *b;

	xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
	if(!mem || size <= 0) {
		if(mem)
			xmlFree(mem);
		return MCSEC_ERR_INTERNAL;
	}
	b = malloc((size_t)size + 1);
	if(!b) {
		xmlFree(mem);
		return MCSEC_ERR_INTERNAL;
	}
	memcpy(b, mem, (size_t)size);
	b[size] = '\0';
	xmlFree(mem);
	*out = b;
	*out_len = (size_t)size;
	return MCSEC_OK;
}

int mcsec_xml_is(xmlNodePtr n, const char *ns, const char *local)
{
	if(!n || n->type != XML_ELEMENT_NODE
			|| strcmp((const char *)n->name, local))
		return 0;
	if(!ns || !*ns)
		return n->ns == NULL;
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, ns);
}

static int blank(const xmlChar *s)
{
	for(; s && *s; s++)
		if(*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
			return 0;
	return 1;
}

xmlNodePtr mcsec_xml_next_elem(xmlNodePtr n, int *bad)
{
	for(; n; n = n->next) {
		if(n->type == XML_ELEMENT_NODE)
			return n;
		if(n->type == XML_COMMENT_NODE)
			continue;
		if(n->type == XML_TEXT_NODE && blank(n->content))
			continue;
		*bad = 1;
		return NULL;
	}
	return NULL;
}

xmlChar *mcsec_xml_text(xmlNodePtr n)
{
	for(xmlNodePtr c = n->children; c; c = c->next)
		if(c->type != XML_TEXT_NODE && c->type != XML_COMMENT_NODE)
			return NULL;
	return xmlNodeGetContent(n);
}

int mcsec_xml_key_name(uint32_t id, char out[12])
{
	uint8_t b[4] = {(uint8_t)(id >> 24), (uint8_t)(id >> 16),
			(uint8_t)(id >> 8), (uint8_t)id};
	return mcsec_b64_encode(b, 4, out, 12, 0) < 0 ? MCSEC_ERR_INTERNAL
												  : MCSEC_OK;
}

int mcsec_xml_key_name_parse(const char *s, size_t len, uint32_t *id)
{
	uint8_t b[8];
	long n = mcsec_b64_decode(s, len, b, sizeof(b), 0);
	if(n != 4)
		return MCSEC_ERR_MALFORMED;
	*id = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16)
		  | ((uint32_t)b[2] << 8) | b[3];
	return MCSEC_OK;
}

const mcsec_xml_keys_t *mcsec_xml_keys_find(
		const mcsec_xml_keys_t *keys, size_t nkeys, int have_id, uint32_t id)
{
	if(!keys || nkeys == 0)
		return NULL;
	if(!have_id)
		return &keys[0];
	for(size_t i = 0; i < nkeys; i++)
		if(keys[i].xpk_id == id)
			return &keys[i];
	return NULL;
}

/* TS 33.180 F.1.4; 9.3.4.2 "using the CSK as the cipher key" when raw */
int mcsec_xml_keys_init(mcsec_xml_keys_t *k, const uint8_t *xpk, size_t xpk_len,
		uint32_t xpk_id, const char *mc_id, size_t mc_id_len, int raw_xpk)
{
	int rc;

	if(!k || !xpk || (xpk_len != 16 && xpk_len != 32))
		return MCSEC_ERR_ARG;
	memset(k, 0, sizeof(*k));
	k->xpk_id = xpk_id;
	if(raw_xpk) {
		memcpy(k->conf, xpk, xpk_len);
		memcpy(k->integ, xpk, xpk_len);
		k->conf_len = k->integ_len = xpk_len;
		return MCSEC_OK;
	}
	rc = mcsec_xml_key(xpk, xpk_len, MCSEC_FC_XML_CONF, mc_id, mc_id_len,
			xpk_id, k->conf, &k->conf_len);
	if(rc == MCSEC_OK)
		rc = mcsec_xml_key(xpk, xpk_len, MCSEC_FC_XML_INT, mc_id, mc_id_len,
				xpk_id, k->integ, &k->integ_len);
	if(rc != MCSEC_OK)
		mcsec_xml_keys_clear(k);
	return rc;
}

void mcsec_xml_keys_clear(mcsec_xml_keys_t *k)
{
	if(k)
		OPENSSL_cleanse(k, sizeof(*k));
}
