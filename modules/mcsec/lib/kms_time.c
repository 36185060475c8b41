/*
 * mcsec - xs:dateTime (XML Schema Part 2, 3.2.7) as used by the KMS XML
 * (TS 33.180 D.3.2, D.3.3 ValidFrom/ValidTo, D.3.5.1 Time) <-> NTP seconds
 * (RFC 5905: seconds since 0h 1 January 1900 UTC).
 */
#include <string.h>

#include "kdf.h"
#include "kms.h"
#include "mcsec_err.h"

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned char md[12] = {
			31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* Exactly n decimal digits at s[*i]. */
static int digits(const char *s, size_t len, size_t *i, unsigned n, unsigned *v)
{
	unsigned x = 0;
	if(len - *i < n)
		return -1;
	for(unsigned k = 0; k < n; k++) {
		char c = s[*i + k];
		if(c < '0' || c > '9')
			return -1;
		x = x * 10 + (unsigned)(c - '0');
	}
	*i += n;
	*v = x;
	return 0;
}

static int lit(const char *s, size_t len, size_t *i, char c)
{
	if(*i >= len || s[*i] != c)
		return -1;
	(*i)++;
	return 0;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int mcsec_kms_time_parse(const char *s, size_t len, uint64_t *ntp)
{
	size_t i = 0;
	unsigned y, mo, d, h, mi, se, th = 0, tm = 0;
	int64_t secs, off = 0;

	if(!s || !ntp)
		return MCSEC_ERR_ARG;
	while(len > 0 && is_ws(s[len - 1]))
		len--;
	while(i < len && is_ws(s[i]))
		i++;
	if(digits(s, len, &i, 4, &y) || lit(s, len, &i, '-')
			|| digits(s, len, &i, 2, &mo) || lit(s, len, &i, '-')
			|| digits(s, len, &i, 2, &d) || lit(s, len, &i, 'T')
			|| digits(s, len, &i, 2, &h) || lit(s, len, &i, ':')
			|| digits(s, len, &i, 2, &mi) || lit(s, len, &i, ':')
			|| digits(s, len, &i, 2, &se))
		return MCSEC_ERR_MALFORMED;
	if(y < 1900 || mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23
			|| mi > 59 || se > 59)
		return MCSEC_ERR_MALFORMED;
	if(i < len && s[i] == '.') {
		size_t start = ++i;
		while(i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if(i == start)
			return MCSEC_ERR_MALFORMED;
	}
	if(i < len && s[i] == 'Z') {
		i++;
	} else if(i < len && (s[i] == '+' || s[i] == '-')) {
		int neg = s[i] == '-';
		i++;
		if(digits(s, len, &i, 2, &th) || lit(s, len, &i, ':')
				|| digits(s, len, &i, 2, &tm) || th > 14 || tm > 59
				|| (th == 14 && tm != 0))
			return MCSEC_ERR_MALFORMED;
		off = (int64_t)(th * 3600 + tm * 60);
		if(neg)
			off = -off;
	}
	if(i != len)
		return MCSEC_ERR_MALFORMED;
	secs = (days_from_civil(y, mo, d) + 25567) * 86400
		   + (int64_t)(h * 3600 + mi * 60 + se) - off;
	if(secs < 0)
		return MCSEC_ERR_MALFORMED;
	*ntp = (uint64_t)secs;
	return MCSEC_OK;
}

static void put_digits(char *o, unsigned v, unsigned n)
{
	while(n-- > 0) {
		o[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

int mcsec_kms_time_format(uint64_t ntp, char out[MCSEC_KMS_TIME_LEN])
{
	int64_t y, days;
	unsigned m, d, sod;

	if(!out)
		return MCSEC_ERR_ARG;
	days = (int64_t)(ntp / 86400) - 25567;
	sod = (unsigned)(ntp % 86400);
	civil_from_days(days, &y, &m, &d);
	if(y > 9999)
		return MCSEC_ERR_ARG;
	put_digits(out, (unsigned)y, 4);
	out[4] = '-';
	put_digits(out + 5, m, 2);
	out[7] = '-';
	put_digits(out + 8, d, 2);
	out[10] = 'T';
	put_digits(out + 11, sod / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, sod / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, sod % 60, 2);
	out[19] = '\0';
	return MCSEC_OK;
}
