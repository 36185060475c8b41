/*
 * Unit tests: libxml2 heap hygiene (xml_mem.h).  mcsec_xml_init() installs
 * libxml2 memory functions that wipe every block before it is freed, so
 * decrypted XML (TS 33.180 9.3.4) does not linger in freed heap memory.
 * Freed memory is never read here (undefined behaviour, and ASan would
 * stop the test): the wipe itself is checked on a live block with
 * mcsec_xml_wipe_block(), the installation through xmlMemGet(), and the
 * wrappers' malloc/realloc/strdup contracts plus whole libxml2 round trips
 * (parse, dictionary, xmlBuffer, serialisation, XML decryption) run on them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlstring.h>

#include "test_xml_util.h"
#include "xml_internal.h"
#include "xml_mem.h"

/* libxml2's functions as found at start (the C library's by default). */
static xmlFreeFunc d_free;
static xmlMallocFunc d_malloc;
static xmlReallocFunc d_realloc;
static xmlStrdupFunc d_strdup;

static void test_wipe_block(void **state)
{
	static const size_t sizes[] = {1, 7, 16, 24, 100, 4096, 100000};
	(void)state;

	for(size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		unsigned char *p = malloc(n);
		assert_non_null(p);
		memset(p, 0xA5, n);
		mcsec_xml_wipe_block(p);
		for(size_t j = 0; j < n; j++)
			if(p[j] != 0)
				fail_msg("size %zu: octet %zu not wiped", n, j);
		free(p);
	}
	mcsec_xml_wipe_block(NULL);
}

static void test_installed(void **state)
{
	xmlFreeFunc f = NULL;
	xmlMallocFunc m = NULL, ma = NULL;
	xmlReallocFunc r = NULL;
	xmlStrdupFunc s = NULL;
	(void)state;

	/* a default libxml2 build starts on the C library's allocator */
	assert_ptr_equal(d_free, (xmlFreeFunc)free);
	assert_ptr_equal(d_malloc, (xmlMallocFunc)malloc);
	assert_ptr_equal(d_realloc, (xmlReallocFunc)realloc);
	assert_int_equal(mcsec_xml_wipe_active(), 0);

	assert_int_equal(mcsec_xml_init(), MCSEC_OK);
	assert_int_equal(mcsec_xml_wipe_active(), 1);
	assert_int_equal(xmlGcMemGet(&f, &m, &ma, &r, &s), 0);
	assert_ptr_not_equal(f, d_free);
	assert_ptr_not_equal(r, d_realloc);
	assert_non_null(m);
	assert_non_null(s);
	/* every allocation path of libxml2 goes through the installed set */
	assert_ptr_equal(ma, m);
	assert_ptr_equal(xmlFree, f);
	assert_ptr_equal(xmlMalloc, m);
	assert_ptr_equal(xmlMallocAtomic, m);
	assert_ptr_equal(xmlRealloc, r);
	assert_ptr_equal(xmlMemStrdup, s);

	/* idempotent */
	assert_int_equal(mcsec_xml_init(), MCSEC_OK);
	assert_ptr_equal(xmlFree, f);

	/* shutdown gives the defaults back; init installs again */
	mcsec_xml_shutdown();
	assert_int_equal(mcsec_xml_wipe_active(), 0);
	assert_ptr_equal(xmlFree, d_free);
	assert_ptr_equal(xmlRealloc, d_realloc);
	assert_ptr_equal(xmlMemStrdup, d_strdup);
	/* the allocator alone (the tool, before its schema loads) */
	mcsec_xml_mem_init();
	assert_int_equal(mcsec_xml_wipe_active(), 1);
	assert_ptr_equal(xmlFree, f);
	assert_ptr_equal(xmlRealloc, r);
	mcsec_xml_mem_init();
	assert_ptr_equal(xmlFree, f);
	assert_int_equal(mcsec_xml_init(), MCSEC_OK);
	assert_int_equal(mcsec_xml_wipe_active(), 1);
	assert_ptr_equal(xmlFree, f);
}

/* Someone else's allocator (here: counting wrappers over libc) is left in
 * place, and reported. */
static int foreign_frees;
static void foreign_free(void *p)
{
	foreign_frees++;
	free(p);
}

static void test_foreign_allocator_kept(void **state)
{
	xmlFreeFunc f = NULL;
	xmlMallocFunc m = NULL;
	xmlReallocFunc r = NULL;
	xmlStrdupFunc s = NULL;
	xmlChar *x;
	(void)state;

	mcsec_xml_shutdown();
	assert_int_equal(
			xmlMemSetup(foreign_free, d_malloc, d_realloc, d_strdup), 0);
	assert_int_equal(mcsec_xml_init(), MCSEC_OK);
	assert_int_equal(mcsec_xml_wipe_active(), 0);
	assert_int_equal(xmlMemGet(&f, &m, &r, &s), 0);
	assert_ptr_equal(f, foreign_free);
	foreign_frees = 0;
	x = xmlStrdup(BAD_CAST "kept");
	assert_non_null(x);
	xmlFree(x);
	assert_int_equal(foreign_frees, 1);
	/* shutdown leaves the foreign set alone too */
	mcsec_xml_shutdown();
	assert_ptr_equal(xmlFree, foreign_free);
	assert_int_equal(xmlMemSetup(d_free, d_malloc, d_realloc, d_strdup), 0);
	assert_int_equal(mcsec_xml_init(), MCSEC_OK);
	assert_int_equal(mcsec_xml_wipe_active(), 1);
}

static void test_realloc_contract(void **state)
{
	unsigned char *p, *q;
	char *d;
	(void)state;

	assert_int_equal(mcsec_xml_wipe_active(), 1);
	p = xmlMalloc(16);
	assert_non_null(p);
	for(int i = 0; i < 16; i++)
		p[i] = (unsigned char)i;
	/* grow: content kept */
	p = xmlRealloc(p, 4096);
	assert_non_null(p);
	for(int i = 0; i < 16; i++)
		assert_int_equal(p[i], i);
	for(int i = 0; i < 4096; i++)
		p[i] = (unsigned char)(i * 7);
	/* shrink: the leading octets kept */
	p = xmlRealloc(p, 8);
	assert_non_null(p);
	for(int i = 0; i < 8; i++)
		assert_int_equal(p[i], (unsigned char)(i * 7));
	/* size 0: a valid block (NULL would mean failure to libxml2) */
	p = xmlRealloc(p, 0);
	assert_non_null(p);
	xmlFree(p);
	/* NULL acts as malloc */
	q = xmlRealloc(NULL, 32);
	assert_non_null(q);
	memset(q, 1, 32);
	xmlFree(q);
	xmlFree(NULL);

	/* strdup: plain copy; NULL in, NULL out */
	d = xmlMemStrdup("sip:alice@example.org");
	assert_string_equal(d, "sip:alice@example.org");
	xmlFree(d);
	assert_null(xmlMemStrdup(NULL));

	/* blocks from plain malloc (e.g. allocated by libxml2 before the set-up)
	 * released through the wiping free, and ours released with plain free */
	p = malloc(100);
	assert_non_null(p);
	memset(p, 0x5A, 100);
	xmlFree(p);
	d = xmlMemStrdup("x");
	free(d);
}

static void test_libxml2_round_trips(void **state)
{
	static const char doc_txt[] =
			"<?xml version=\"1.0\"?>\n"
			"<r xmlns=\"urn:t\" a=\"secret-attr\">"
			"<e>access-token-0123456789</e><e>x</e></r>\n";
	xmlChar *x, *y;
	xmlBufferPtr b;
	xmlDocPtr doc;
	char *out = NULL;
	size_t out_len = 0;
	(void)state;

	/* xmlStrdup / xmlStrcat (realloc) */
	x = xmlStrdup(BAD_CAST "group-");
	assert_non_null(x);
	for(int i = 0; i < 200; i++)
		x = xmlStrcat(x, BAD_CAST "0123456789");
	assert_int_equal(xmlStrlen(x), 6 + 2000);
	y = xmlStrndup(x, 6);
	assert_string_equal((char *)y, "group-");
	xmlFree(y);
	xmlFree(x);

	/* xmlBuffer growth */
	b = xmlBufferCreateSize(8);
	assert_non_null(b);
	for(int i = 0; i < 1000; i++)
		assert_int_equal(xmlBufferCCat(b, "abcdefghij"), 0);
	assert_int_equal(xmlBufferLength(b), 10000);
	assert_memory_equal(xmlBufferContent(b) + 9990, "abcdefghij", 10);
	xmlBufferFree(b);

	/* hardened parse (dictionary, parser input copies), edit, serialise */
	assert_int_equal(mcsec_xml_parse(doc_txt, strlen(doc_txt), &doc), MCSEC_OK);
	x = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "a");
	assert_string_equal((char *)x, "secret-attr");
	xmlFree(x);
	xmlNodeSetContent(
			xmlDocGetRootElement(doc)->children->next, BAD_CAST "replaced");
	assert_int_equal(mcsec_xml_serialize(doc, &out, &out_len), MCSEC_OK);
	assert_non_null(
			strstr(out, "<e>access-token-0123456789</e><e>replaced</e>"));
	free(out);
	xmlFreeDoc(doc);

	/* xmlReadMemory with the parser's own dictionary */
	doc = xmlReadMemory(doc_txt, (int)strlen(doc_txt), NULL, NULL,
			XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	assert_non_null(doc);
	assert_non_null(doc->dict);
	xmlFreeDoc(doc);
}

/* XML content encryption and decryption (9.3.4.2) running on the wiping
 * allocator: the plaintext round-trips. */
static void test_xmlenc_round_trip(void **state)
{
	static const char ct[] = "application/vnd.3gpp.mcptt-info+xml";
	mcsec_xml_keys_t k;
	mcsec_xml_policy_t *pol = NULL;
	char *in, *enc = NULL, *dec = NULL;
	size_t in_len = 0, enc_len = 0, dec_len = 0;
	unsigned n = 0;
	(void)state;

	in = read_vec("mcptt_info.xml", &in_len);
	test_keys(&k, 0);
	assert_int_equal(mcsec_xml_policy_default(&pol), MCSEC_OK);
	assert_int_equal(mcsec_xml_encrypt_doc(in, in_len, ct, strlen(ct), pol, &k,
							 &enc, &enc_len, &n),
			MCSEC_OK);
	assert_true(n > 0);
	assert_null(strstr(enc, "sip:group1@example.org"));
	assert_int_equal(
			mcsec_xml_decrypt_doc(enc, enc_len, &k, 1, 0, &dec, &dec_len, &n),
			MCSEC_OK);
	assert_true(n > 0);
	assert_non_null(strstr(dec, "sip:group1@example.org"));
	assert_non_null(strstr(dec, "sip:alice&amp;co@example.org"));
	free(in);
	free(enc);
	free(dec);
	mcsec_xml_policy_free(pol);
	mcsec_xml_keys_clear(&k);
}

int main(void)
{
	/* before the tests, and before anything in this process used libxml2 */
	if(xmlMemGet(&d_free, &d_malloc, &d_realloc, &d_strdup) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
			cmocka_unit_test(test_wipe_block),
			cmocka_unit_test(test_installed),
			cmocka_unit_test(test_foreign_allocator_kept),
			cmocka_unit_test(test_realloc_contract),
			cmocka_unit_test(test_libxml2_round_trips),
			cmocka_unit_test(test_xmlenc_round_trip),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);
	mcsec_xml_shutdown();
	return r;
}
