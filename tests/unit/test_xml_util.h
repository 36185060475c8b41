/*
 * Helpers shared by the XML protection unit tests (test_xml_*.c).
 */
#ifndef TEST_XML_UTIL_H
#define TEST_XML_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "mcsec_err.h"
#include "xmlprot.h"

#define VEC "tests/vectors/xml/"

/* Whole file, NUL-terminated; aborts the test on failure. */
static inline char *read_vec(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	char *b;
	long n;

	snprintf(path, sizeof(path), VEC "%s", name);
	f = fopen(path, "rb");
	if(!f) {
		fprintf(stderr, "cannot open %s (run from the repository top)\n", path);
		abort();
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if(!b || fread(b, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	b[n] = '\0';
	if(len)
		*len = (size_t)n;
	return b;
}

/* Value of "name=" in uri_kat.txt (static buffer). */
static inline const char *kat(const char *name)
{
	static char val[1024];
	char *all = read_vec("uri_kat.txt", NULL), *p = all;
	size_t nl = strlen(name);

	val[0] = '\0';
	while(p && *p) {
		char *eol = strchr(p, '\n');
		if(!strncmp(p, name, nl) && p[nl] == '=') {
			size_t l = eol ? (size_t)(eol - p - nl - 1) : strlen(p + nl + 1);
			if(l >= sizeof(val))
				abort();
			memcpy(val, p + nl + 1, l);
			val[l] = '\0';
			break;
		}
		p = eol ? eol + 1 : NULL;
	}
	free(all);
	if(!val[0])
		abort();
	return val;
}

/* The test keys of the vectors (derived, or raw when raw = 1). */
static inline void test_keys(mcsec_xml_keys_t *k, int raw)
{
	uint8_t xpk[16];
	const char *mc = "sip:alice@example.org";
	if(mcsec_hex_decode("000102030405060708090a0b0c0d0e0f", 32, xpk, 16) != 16
			|| mcsec_xml_keys_init(k, xpk, 16, 0x2000abcd, mc, strlen(mc), raw)
					   != MCSEC_OK)
		abort();
}

/* Replace the first occurrence of from by to; returns a new string. */
static inline char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	char *r;
	if(!p)
		return NULL;
	r = malloc(strlen(s) - strlen(from) + strlen(to) + 1);
	memcpy(r, s, (size_t)(p - s));
	strcpy(r + (p - s), to);
	strcat(r, p + strlen(from));
	return r;
}

#endif
