/*
 * mcsec - libxml2 heap hygiene: mcsec_xml_init() (xmlprot.h) installs
 * libxml2 memory functions that wipe every block before it is freed, so
 * the plaintext of decrypted XML (TS 33.180 9.3.4) and key material parsed
 * from XML does not linger in freed heap memory.  Implemented in
 * xml_parse.c.
 */
#ifndef MCSEC_XML_MEM_H
#define MCSEC_XML_MEM_H

/* Install the wiping functions in libxml2 (xmlMemSetup), process-wide and
 * idempotent; mcsec_xml_init() calls it first.  For a program that must
 * use libxml2 before mcsec_xml_init() locks external loads (the tool's
 * schema loading): call this one first.  mcsec_xml_shutdown() restores
 * the C library's functions. */
void mcsec_xml_mem_init(void);

/* Zero the whole usable size of a block from the C library's malloc
 * family (p may be NULL); the block stays allocated.  What the installed
 * libxml2 free function does before free(). */
void mcsec_xml_wipe_block(void *p);

/* 1 once mcsec_xml_mem_init() has installed the wiping functions in this
 * process; 0 before, after mcsec_xml_shutdown(), or when libxml2 already
 * had another allocator than the C library's (left in place: its blocks
 * are not ours to size or free). */
int mcsec_xml_wipe_active(void);

#endif
