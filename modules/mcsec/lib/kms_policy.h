/*
 * mcsec - KMS acceptance policy for KMS Redirect Responses (TS 33.180
 * 5.2.7, 5.2.8.2.3, 5.2.8.2.4, I.3.8): which KMS URIs (security domains)
 * a user of this domain, or a user crossing it, may use as initiator KMS
 * (IDRkmsi) or receiver KMS (IDRkmsr), in preference order.
 *
 * File format (one directive per line, '#' starts a comment, tokens are
 * separated by blanks; documented with an example in cfg/kms-policy.example):
 *
 *   home URI                  the domain's Home KMS (exactly once)
 *   migration URI...          Migration KMSs, in preference order
 *   external URI...           permitted External KMSs, in preference order
 *   local PATTERN...          users of this domain (IS proxy cases B, C)
 *   group NAME PATTERN...     named group of users
 *   default DIR LIST...       list for every user without a better rule
 *   user URI DIR LIST...      list for one user
 *   for-group NAME DIR LIST...list for the members of a group
 *   krr-unsigned accept|reject    received KRR without a signature
 *   krr-untrusted accept|reject   signature valid, certificate not trusted
 *   krr-creator URI           KRRCreatorUri (the proxy's identity)
 *
 * PATTERN: an exact URI, "*" (everyone) or "*SUFFIX" (e.g. "*@example.org").
 * DIR: initiator (the user's IDRkmsi), receiver (the user's IDRkmsr) or both,
 * optionally followed by @cs-in, @is or @cs-out: the rule then applies
 * only where the proxy has that role (inbound CS, IS, outbound CS).
 * LIST items: a KMS URI, "@home", "@migration", "@external" (expanded in
 * the order given, duplicates dropped), or "ANY" alone, or "none" alone (an
 * empty list: nothing acceptable).
 * Precedence for a user and direction: a "user" rule, else the first
 * "for-group" rule (file order) whose group holds the user, else "default",
 * else the built-in "@home @migration"; at each of the three levels a rule
 * for the proxy role asked about comes before a rule without a role.
 *
 * Reload: load the new file into a new object and swap the pointer; an
 * object is immutable after loading and may be read by many threads.
 */
#ifndef MCSEC_KMS_POLICY_H
#define MCSEC_KMS_POLICY_H

#include <stddef.h>

#define MCSEC_KMS_POLICY_MAX_FILE (1024 * 1024)
#define MCSEC_KMS_POLICY_MAX_URI 1024

/* Proxy roles (the values of enum mcsec_krr_role in krr.h). */
#define MCSEC_KMS_ROLE_CS_INBOUND 1
#define MCSEC_KMS_ROLE_IS 2
#define MCSEC_KMS_ROLE_CS_OUTBOUND 3

enum mcsec_kms_dir
{
	MCSEC_KMS_DIR_INITIATOR = 1, /* the user's KMS as IDRkmsi */
	MCSEC_KMS_DIR_RECEIVER = 2,	 /* the user's KMS as IDRkmsr */
};

/* An acceptable list in preference order.  Pointers belong to the policy
 * object (valid while it lives).  any = 1: every KMS URI is acceptable. */
typedef struct mcsec_kms_list
{
	int any;
	size_t n;
	const char *const *uris;
} mcsec_kms_list_t;

typedef struct mcsec_kms_policy mcsec_kms_policy_t;

/* Parse a policy text.  On MCSEC_ERR_MALFORMED *err_line (if not NULL)
 * is the 1-based line at fault. */
int mcsec_kms_policy_parse(
		const char *buf, size_t len, mcsec_kms_policy_t **out, int *err_line);
/* Read and parse a file (MCSEC_ERR_IO if unreadable). */
int mcsec_kms_policy_load(
		const char *path, mcsec_kms_policy_t **out, int *err_line);
void mcsec_kms_policy_free(mcsec_kms_policy_t *p);

/* The acceptable list for user (a URI, len bytes) in direction dir, at a
 * proxy with the given role (MCSEC_KMS_ROLE_*, or 0: only rules without
 * a role apply). */
int mcsec_kms_policy_list_for(const mcsec_kms_policy_t *p, int role,
		const char *user, size_t user_len, int dir, mcsec_kms_list_t *out);
/* 1 if kms is acceptable for user in direction dir, else 0. */
int mcsec_kms_policy_acceptable_for(const mcsec_kms_policy_t *p, int role,
		const char *user, size_t user_len, int dir, const char *kms,
		size_t kms_len);
/* The same with role 0. */
int mcsec_kms_policy_list(const mcsec_kms_policy_t *p, const char *user,
		size_t user_len, int dir, mcsec_kms_list_t *out);
int mcsec_kms_policy_acceptable(const mcsec_kms_policy_t *p, const char *user,
		size_t user_len, int dir, const char *kms, size_t kms_len);
/* 1 if user belongs to this domain ("local" patterns), else 0. */
int mcsec_kms_policy_is_local(
		const mcsec_kms_policy_t *p, const char *user, size_t user_len);

const char *mcsec_kms_policy_home(const mcsec_kms_policy_t *p);
/* NULL if the file has no krr-creator line. */
const char *mcsec_kms_policy_creator(const mcsec_kms_policy_t *p);
/* 1 = accept, 0 = reject (default: reject both). */
int mcsec_kms_policy_accept_unsigned(const mcsec_kms_policy_t *p);
int mcsec_kms_policy_accept_untrusted(const mcsec_kms_policy_t *p);

#endif
