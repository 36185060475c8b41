/*
 * sipload: a lean SIP load generator and responder for the CSK upload bench
 * (scripts/bench-csk.sh). Not part of the module or the tool.
 *
 * Why: on the 2-core bench VM the load generators share the cores with Kamailio. SIPp costs
 * ~450 us of CPU per upload (UAC + UAS), which is not the proxy's cost but is taken from it.
 * This tool does the same job with a few syscalls per request.
 *
 *   sipload uas -p PORT [-c COUNTFILE] [-i TICK_US]
 *     answers every request on 127.0.0.1:PORT with "200 OK" (Via(s), From, To (+ ;tag= if
 *     none), Call-ID, CSeq copied, Content-Length: 0); ignores ACK and responses; on SIGTERM or
 *     SIGINT writes the number of requests received to COUNTFILE (or stdout) and exits 0.
 *
 *   sipload uac -d HOST:PORT -p LOCALPORT -f CSV -t SCENARIO -r RATE -m TOTAL -l MAXINFLIGHT
 *               [-T TIMEOUT_S] [-x DUMPFILE] [-i TICK_US]
 *     sends TOTAL requests built from the first <send> CDATA of a SIPp scenario and a SIPp
 *     injection CSV (first line SEQUENTIAL, fields separated by ';'), formatted as SIPp 3.6
 *     formats them (leading/trailing blanks of the CDATA and of each line removed, one line end
 *     put back at the end when trailing ones were removed, CRLF line ends, [len] as "%5u" of
 *     the body after the first empty line). Keywords: [fieldN],
 *     [call_id] (N-PID@LOCAL_IP), [call_number], [pid], [cseq], [branch]
 *     (z9hG4bK-PID-N-0), [transport] (UDP), [local_ip], [local_port], [remote_ip],
 *     [remote_port], [service] (sipp), [len]. Paced like SIPp -r: request k (0-based) is due at
 *     k/RATE s after the start (a token bucket refilled at RATE/s), and at most MAXINFLIGHT are
 *     outstanding. Responses are matched by Call-ID and
 *     CSeq; 1xx ignored (stops the fast retransmissions), 200 = success, any other final
 *     response or no final response within TIMEOUT_S (default 20) = failure. UDP
 *     retransmission as a non-INVITE client transaction (RFC 3261 17.1.2.2: timer E from
 *     T1 = 500 ms doubling up to T2 = 4 s, T2 after a provisional response; timer F 64*T1 = 32 s
 *     or TIMEOUT_S, whichever is first). -x writes the first request as sent (for comparing
 *     with a SIPp trace). Prints
 *       sent=N ok=N failed=N retransmissions=N elapsed_us=N rate_per_s=N.N
 *     and exits 0 only if failed == 0 and ok == TOTAL.
 *
 *   -i TICK_US (both modes): 0 (default) = sleep in poll(), woken by every datagram; N = drain
 *     the socket every N us (nanosleep) instead, like SIPp's scheduler tick: fewer wake-ups per
 *     message at high rates (a wake-up costs tens of us on the bench VM, and the sender pays
 *     part of it), at the price of up to N us more latency per message.
 *
 * Build: cc -std=gnu11 -O2 -Wall -Wextra tests/bench/sipload.c -o sipload
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_DGRAM 65535
#define SOCK_BUF (4 * 1024 * 1024)
#define T1_US 500000LL
#define T2_US 4000000LL
#define TIMER_F_US (64 * T1_US)

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: poll() returns EINTR so that the loop sees g_stop */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* sleeps usec (interrupted by a signal: returns early) */
static void sleep_us(int64_t usec)
{
	struct timespec ts;
	if(usec <= 0)
		return;
	ts.tv_sec = (time_t)(usec / 1000000);
	ts.tv_nsec = (long)(usec % 1000000) * 1000;
	nanosleep(&ts, NULL);
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int parse_port(const char *s, uint16_t *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if(errno || end == s || *end || v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if(errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* UDP socket bound to 127.0.0.1:port, non-blocking, large buffers */
static int udp_bind(uint16_t port)
{
	struct sockaddr_in a;
	int fd, one = 1, sz = SOCK_BUF;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if(fd < 0) {
		perror("sipload: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if(bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "sipload: bind 127.0.0.1:%u: %s\n", port,
				strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- bounded helpers on (pointer, length) ---- */

/* end of the line starting at p (points at '\r' or '\n' or end) */
static const char *line_end(const char *p, const char *end)
{
	const char *q = memchr(p, '\n', (size_t)(end - p));
	if(!q)
		return end;
	if(q > p && q[-1] == '\r')
		return q - 1;
	return q;
}

/* start of the next line after the one ending at le */
static const char *next_line(const char *le, const char *end)
{
	if(le < end && *le == '\r')
		le++;
	if(le < end && *le == '\n')
		le++;
	return le;
}

/* header name of the line [p, le) matches full (or compact form c, 0 = none) */
static int hdr_is(const char *p, const char *le, const char *full, char compact,
		const char **value)
{
	size_t n = strlen(full);
	const char *q;
	if((size_t)(le - p) >= n && strncasecmp(p, full, n) == 0)
		q = p + n;
	else if(compact && le - p >= 1
			&& (p[0] == compact || p[0] == (compact ^ 0x20)))
		q = p + 1;
	else
		return 0;
	while(q < le && (*q == ' ' || *q == '\t'))
		q++;
	if(q >= le || *q != ':')
		return 0;
	q++;
	while(q < le && (*q == ' ' || *q == '\t'))
		q++;
	if(value)
		*value = q;
	return 1;
}

/* case-insensitive search of needle in [p, e) */
static const char *mem_casestr(const char *p, const char *e, const char *needle)
{
	size_t n = strlen(needle);
	for(; (size_t)(e - p) >= n; p++)
		if(strncasecmp(p, needle, n) == 0)
			return p;
	return NULL;
}

struct outbuf
{
	char *b;
	size_t len, cap;
	int overflow;
};

static void ob_put(struct outbuf *o, const char *s, size_t n)
{
	if(o->overflow || n > o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->b + o->len, s, n);
	o->len += n;
}

static void ob_puts(struct outbuf *o, const char *s)
{
	ob_put(o, s, strlen(s));
}

/* ======================= UAS ======================= */

/* builds the 200 OK for the request in [m, m+n) into o; returns 0, or -1 when the datagram is
 * not a request to answer (response, ACK, garbage) */
static int uas_reply(
		const char *m, size_t n, struct outbuf *o, unsigned long tagno)
{
	const char *end = m + n, *p, *le, *v, *sp;
	int have_via = 0, have_from = 0, have_to = 0, have_cid = 0, have_cseq = 0,
		eoh = 0;
	char tag[48];

	if(n < 8 || memcmp(m, "SIP/2.0 ", 8) == 0)
		return -1;
	le = line_end(m, end);
	sp = memchr(m, ' ', (size_t)(le - m));
	if(!sp || sp == m)
		return -1;
	if(sp - m == 3 && memcmp(m, "ACK", 3) == 0)
		return -1;
	/* request line: METHOD SP URI SP SIP/2.0 */
	if(le - m < 8 || memcmp(le - 8, " SIP/2.0", 8) != 0)
		return -1;

	o->len = 0;
	o->overflow = 0;
	ob_puts(o, "SIP/2.0 200 OK\r\n");
	p = next_line(le, end);
	while(p < end) {
		int copy = 0, is_to = 0;
		const char *hs = p;
		le = line_end(p, end);
		if(le == p && le < end) {
			eoh = 1; /* empty line: end of headers */
			break;
		}
		if(hdr_is(p, le, "Via", 'v', NULL))
			copy = have_via = 1;
		else if(hdr_is(p, le, "From", 'f', NULL))
			copy = have_from = 1;
		else if(hdr_is(p, le, "To", 't', &v))
			copy = is_to = have_to = 1;
		else if(hdr_is(p, le, "Call-ID", 'i', NULL))
			copy = have_cid = 1;
		else if(hdr_is(p, le, "CSeq", 0, NULL))
			copy = have_cseq = 1;
		/* folded continuation lines belong to this header */
		p = next_line(le, end);
		while(p < end && (*p == ' ' || *p == '\t')) {
			le = line_end(p, end);
			p = next_line(le, end);
		}
		if(!copy)
			continue;
		ob_put(o, hs, (size_t)(le - hs));
		if(is_to && !mem_casestr(hs, le, ";tag=")) {
			snprintf(tag, sizeof(tag), ";tag=sipload%lu", tagno);
			ob_puts(o, tag);
		}
		ob_puts(o, "\r\n");
	}
	if(!eoh || !have_via || !have_from || !have_to || !have_cid || !have_cseq)
		return -1;
	ob_puts(o, "Content-Length: 0\r\n\r\n");
	return o->overflow ? -1 : 0;
}

static int write_count(const char *file, unsigned long count)
{
	FILE *f = file ? fopen(file, "w") : stdout;
	if(!f) {
		fprintf(stderr, "sipload: %s: %s\n", file, strerror(errno));
		return -1;
	}
	fprintf(f, "%lu\n", count);
	if(file)
		return fclose(f) == 0 ? 0 : -1;
	fflush(f);
	return 0;
}

static int run_uas(int argc, char **argv)
{
	uint16_t port = 0;
	const char *countfile = NULL;
	long tick = 0;
	int opt, fd;
	unsigned long received = 0, answered = 0, ignored = 0;
	static char in[MAX_DGRAM + 1], out[MAX_DGRAM + 512];
	struct outbuf o = {out, 0, sizeof(out), 0};

	while((opt = getopt(argc, argv, "p:c:i:")) != -1) {
		switch(opt) {
			case 'p':
				if(parse_port(optarg, &port) < 0) {
					fprintf(stderr, "sipload uas: bad port %s\n", optarg);
					return 2;
				}
				break;
			case 'c':
				countfile = optarg;
				break;
			case 'i':
				if(parse_long(optarg, 0, 100000, &tick) < 0) {
					fprintf(stderr, "sipload uas: bad -i %s\n", optarg);
					return 2;
				}
				break;
			default:
				return 2;
		}
	}
	if(!port) {
		fprintf(stderr,
				"usage: sipload uas -p PORT [-c COUNTFILE] [-i TICK_US]\n");
		return 2;
	}
	install_signals();
	fd = udp_bind(port);
	if(fd < 0)
		return 1;
	while(!g_stop) {
		if(tick) {
			/* fixed tick: no wake-up per datagram (see the header comment) */
			sleep_us(tick);
		} else {
			struct pollfd pfd = {fd, POLLIN, 0};
			int r = poll(&pfd, 1, 1000);
			if(r < 0) {
				if(errno == EINTR)
					continue;
				perror("sipload uas: poll");
				break;
			}
			if(r == 0)
				continue;
		}
		for(;;) {
			struct sockaddr_storage src;
			socklen_t sl = sizeof(src);
			ssize_t n = recvfrom(
					fd, in, MAX_DGRAM, 0, (struct sockaddr *)&src, &sl);
			if(n < 0) {
				if(errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
					perror("sipload uas: recvfrom");
				break;
			}
			if(uas_reply(in, (size_t)n, &o, received + 1) < 0) {
				ignored++; /* responses, ACKs, garbage */
				continue;
			}
			received++;
			if(sendto(fd, o.b, o.len, 0, (struct sockaddr *)&src, sl) < 0)
				perror("sipload uas: sendto");
			else
				answered++;
		}
	}
	close(fd);
	fprintf(stderr, "sipload uas: received=%lu answered=%lu ignored=%lu\n",
			received, answered, ignored);
	return write_count(countfile, received) == 0 ? 0 : 1;
}

/* ======================= UAC ======================= */

enum comp_type
{
	C_LIT,
	C_FIELD,
	C_CALL_ID,
	C_CALL_NUMBER,
	C_PID,
	C_CSEQ,
	C_BRANCH,
	C_TRANSPORT,
	C_LOCAL_IP,
	C_LOCAL_PORT,
	C_REMOTE_IP,
	C_REMOTE_PORT,
	C_SERVICE,
	C_LEN
};

struct comp
{
	enum comp_type type;
	const char *lit; /* C_LIT: points into the cleaned template */
	size_t len;
	int field;
};

struct call
{
	long num; /* call number (1-based), 0 = free slot */
	char *msg;
	size_t len, cap;
	size_t cseq_off, cseq_len; /* the CSeq value in msg, for matching */
	int64_t t_start, t_next, interval;
	int proceeding;
};

struct uac
{
	struct comp *comps;
	size_t ncomps;
	char *tpl, *csvbuf; /* cleaned template, CSV text (fields point into it) */
	char **lines;		/* CSV lines (after SEQUENTIAL) */
	size_t nlines;
	char ***fields;
	size_t *nfields;
	char local_ip[INET_ADDRSTRLEN], remote_ip[INET_ADDRSTRLEN];
	uint16_t local_port, remote_port;
	unsigned pid;
};

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n = 0;
	if(!f) {
		fprintf(stderr, "sipload: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for(;;) {
		size_t r;
		if(cap - n < 65536) {
			char *nb;
			cap = cap ? cap * 2 : 1 << 20;
			nb = realloc(b, cap + 1);
			if(!nb) {
				free(b);
				fclose(f);
				return NULL;
			}
			b = nb;
		}
		r = fread(b + n, 1, cap - n, f);
		n += r;
		if(r == 0)
			break;
	}
	fclose(f);
	b[n] = 0;
	*len = n;
	return b;
}

/* the first <send> CDATA, cleaned as SIPp does (leading blanks/newlines and trailing blanks/
 * newlines of the whole text dropped, leading and trailing blanks of every line dropped,
 * "\n\n" appended when there is no empty line), then LF -> CRLF. Returns malloc'd text. */
static char *scenario_message(const char *path)
{
	size_t n, i, o;
	int removed_nl = 0;
	char *x = read_all(path, &n), *s, *c, *e, *t, *res;
	if(!x)
		return NULL;
	s = strstr(x, "<send");
	c = s ? strstr(s, "<![CDATA[") : NULL;
	e = c ? strstr(c, "]]>") : NULL;
	if(!e) {
		fprintf(stderr, "sipload: %s: no <send> with CDATA\n", path);
		free(x);
		return NULL;
	}
	c += 9;
	*e = 0;
	while(*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
		c++;
	while(e > c
			&& (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'
					|| e[-1] == '\r')) {
		if(e[-1] == '\n')
			removed_nl = 1;
		*--e = 0;
	}
	/* per line: drop leading and trailing blanks (and CR) */
	t = malloc(strlen(c) + 4);
	if(!t) {
		free(x);
		return NULL;
	}
	o = 0;
	for(i = 0; c[i];) {
		size_t ls = i, le;
		while(c[i] && c[i] != '\n')
			i++;
		le = i;
		while(ls < le && (c[ls] == ' ' || c[ls] == '\t'))
			ls++;
		while(le > ls
				&& (c[le - 1] == ' ' || c[le - 1] == '\t' || c[le - 1] == '\r'))
			le--;
		memcpy(t + o, c + ls, le - ls);
		o += le - ls;
		if(c[i] == '\n') {
			t[o++] = '\n';
			i++;
		}
	}
	t[o] = 0;
	free(x);
	if(!strstr(t, "\n\n")) {
		t[o++] = '\n';
		t[o++] = '\n';
		t[o] = 0;
	}
	/* SIPp puts back one line end when it removed trailing ones (the body's last CRLF) */
	if(removed_nl && o && t[o - 1] != '\n') {
		t[o++] = '\n';
		t[o] = 0;
	}
	/* CRLF */
	res = malloc(2 * o + 1);
	if(!res) {
		free(t);
		return NULL;
	}
	for(i = 0, n = 0; i < o; i++) {
		if(t[i] == '\n')
			res[n++] = '\r';
		res[n++] = t[i];
	}
	res[n] = 0;
	free(t);
	return res;
}

static int add_comp(struct uac *u, enum comp_type type, const char *lit,
		size_t len, int field)
{
	struct comp *nc = realloc(u->comps, (u->ncomps + 1) * sizeof(*nc));
	if(!nc)
		return -1;
	u->comps = nc;
	nc[u->ncomps].type = type;
	nc[u->ncomps].lit = lit;
	nc[u->ncomps].len = len;
	nc[u->ncomps].field = field;
	u->ncomps++;
	return 0;
}

static const struct
{
	const char *kw;
	enum comp_type type;
} keywords[] = {{"call_id", C_CALL_ID}, {"call_number", C_CALL_NUMBER},
		{"pid", C_PID}, {"cseq", C_CSEQ}, {"branch", C_BRANCH},
		{"transport", C_TRANSPORT}, {"local_ip", C_LOCAL_IP},
		{"local_port", C_LOCAL_PORT}, {"remote_ip", C_REMOTE_IP},
		{"remote_port", C_REMOTE_PORT}, {"service", C_SERVICE}, {"len", C_LEN}};

/* splits the cleaned template into literals and keywords; unknown keywords are an error */
static int parse_template(struct uac *u, const char *t)
{
	const char *p = t, *lit = t;
	int nlen = 0;
	while(*p) {
		const char *close;
		size_t kl, k;
		int found = 0;
		if(*p != '[') {
			p++;
			continue;
		}
		close = strchr(p + 1, ']');
		if(!close || close == p + 1 || close - p > 64) {
			fprintf(stderr, "sipload: bad [keyword] in template near '%.20s'\n",
					p);
			return -1;
		}
		if(p > lit && add_comp(u, C_LIT, lit, (size_t)(p - lit), 0) < 0)
			return -1;
		kl = (size_t)(close - p - 1);
		for(k = 0; k < sizeof(keywords) / sizeof(keywords[0]); k++) {
			if(strlen(keywords[k].kw) == kl
					&& memcmp(p + 1, keywords[k].kw, kl) == 0) {
				if(add_comp(u, keywords[k].type, NULL, 0, 0) < 0)
					return -1;
				if(keywords[k].type == C_LEN)
					nlen++;
				found = 1;
				break;
			}
		}
		if(!found && kl > 5 && memcmp(p + 1, "field", 5) == 0) {
			long f = 0;
			size_t d;
			for(d = 6; d <= kl; d++) {
				if(p[d] < '0' || p[d] > '9' || f > 1000)
					break;
				f = f * 10 + (p[d] - '0');
			}
			if(d == kl + 1) {
				if(add_comp(u, C_FIELD, NULL, 0, (int)f) < 0)
					return -1;
				found = 1;
			}
		}
		if(!found) {
			fprintf(stderr, "sipload: unsupported keyword [%.*s]\n", (int)kl,
					p + 1);
			return -1;
		}
		p = close + 1;
		lit = p;
	}
	if(p > lit && add_comp(u, C_LIT, lit, (size_t)(p - lit), 0) < 0)
		return -1;
	if(nlen > 1) {
		fprintf(stderr, "sipload: more than one [len]\n");
		return -1;
	}
	return 0;
}

/* SIPp injection file: first line SEQUENTIAL, then one record per line, fields split at ';' */
static int load_csv(struct uac *u, const char *path)
{
	size_t n, i, cnt = 0;
	char *x = read_all(path, &n), *p, *nl;
	if(!x)
		return -1;
	u->csvbuf = x;
	nl = strchr(x, '\n');
	if(!nl) {
		fprintf(stderr, "sipload: %s: empty\n", path);
		return -1;
	}
	*nl = 0;
	if(nl > x && nl[-1] == '\r')
		nl[-1] = 0;
	if(strcmp(x, "SEQUENTIAL") != 0) {
		fprintf(stderr,
				"sipload: %s: only SEQUENTIAL is supported (got '%s')\n", path,
				x);
		return -1;
	}
	for(p = nl + 1; *p; p++)
		if(*p == '\n')
			cnt++;
	cnt++;
	u->lines = calloc(cnt, sizeof(char *));
	u->fields = calloc(cnt, sizeof(char **));
	u->nfields = calloc(cnt, sizeof(size_t));
	if(!u->lines || !u->fields || !u->nfields)
		return -1;
	p = nl + 1;
	while(*p) {
		size_t nf = 1;
		char *q, *e = strchr(p, '\n');
		if(e)
			*e = 0;
		if(e && e > p && e[-1] == '\r')
			e[-1] = 0;
		if(*p && *p != '#') { /* SIPp skips empty and comment lines */
			for(q = p; *q; q++)
				if(*q == ';')
					nf++;
			u->fields[u->nlines] = calloc(nf, sizeof(char *));
			if(!u->fields[u->nlines])
				return -1;
			u->lines[u->nlines] = p;
			for(i = 0, q = p;; i++) {
				char *sc = strchr(q, ';');
				u->fields[u->nlines][i] = q;
				if(!sc)
					break;
				*sc = 0;
				q = sc + 1;
			}
			u->nfields[u->nlines] = nf;
			u->nlines++;
		}
		if(!e)
			break;
		p = e + 1;
	}
	if(!u->nlines) {
		fprintf(stderr, "sipload: %s: no records\n", path);
		return -1;
	}
	return 0;
}

static int msg_put(struct call *c, const char *s, size_t n)
{
	if(n > c->cap - c->len) {
		size_t ncap = c->cap ? c->cap : 4096;
		char *nb;
		while(ncap - c->len < n)
			ncap *= 2;
		nb = realloc(c->msg, ncap);
		if(!nb)
			return -1;
		c->msg = nb;
		c->cap = ncap;
	}
	memcpy(c->msg + c->len, s, n);
	c->len += n;
	return 0;
}

/* builds request number num (1-based) into c */
static int build_request(const struct uac *u, struct call *c, long num)
{
	size_t i, len_at = (size_t)-1, rec = (size_t)(num - 1) % u->nlines;
	char tmp[128];
	const char *hb, *cs;
	int k;
	c->len = 0;
	for(i = 0; i < u->ncomps; i++) {
		const struct comp *cp = &u->comps[i];
		const char *s = tmp;
		size_t n;
		k = -1;
		switch(cp->type) {
			case C_LIT:
				s = cp->lit;
				k = (int)cp->len;
				break;
			case C_FIELD:
				if((size_t)cp->field >= u->nfields[rec]) {
					fprintf(stderr, "sipload: CSV record %zu has no field%d\n",
							rec + 1, cp->field);
					return -1;
				}
				s = u->fields[rec][cp->field];
				k = (int)strlen(s);
				break;
			case C_CALL_ID:
				k = snprintf(tmp, sizeof(tmp), "%ld-%u@%s", num, u->pid,
						u->local_ip);
				break;
			case C_CALL_NUMBER:
				k = snprintf(tmp, sizeof(tmp), "%ld", num);
				break;
			case C_PID:
				k = snprintf(tmp, sizeof(tmp), "%u", u->pid);
				break;
			case C_CSEQ:
				k = snprintf(tmp, sizeof(tmp), "1");
				break;
			case C_BRANCH:
				k = snprintf(tmp, sizeof(tmp), "z9hG4bK-%u-%ld-0", u->pid, num);
				break;
			case C_TRANSPORT:
				k = snprintf(tmp, sizeof(tmp), "UDP");
				break;
			case C_LOCAL_IP:
				k = snprintf(tmp, sizeof(tmp), "%s", u->local_ip);
				break;
			case C_LOCAL_PORT:
				k = snprintf(tmp, sizeof(tmp), "%u", u->local_port);
				break;
			case C_REMOTE_IP:
				k = snprintf(tmp, sizeof(tmp), "%s", u->remote_ip);
				break;
			case C_REMOTE_PORT:
				k = snprintf(tmp, sizeof(tmp), "%u", u->remote_port);
				break;
			case C_SERVICE:
				k = snprintf(tmp, sizeof(tmp), "sipp");
				break;
			case C_LEN:
				len_at = c->len;
				k = snprintf(tmp, sizeof(tmp), "     "); /* filled in below */
				break;
		}
		if(k < 0
				|| (cp->type != C_LIT && cp->type != C_FIELD
						&& (size_t)k >= sizeof(tmp)))
			return -1;
		n = (size_t)k;
		if(msg_put(c, s, n) < 0)
			return -1;
	}
	/* SIPp: Content-Length is "%5u" of what follows the first empty line after [len] */
	hb = NULL;
	if(len_at != (size_t)-1) {
		const char *p = c->msg + len_at, *e = c->msg + c->len;
		for(; e - p >= 4; p++)
			if(memcmp(p, "\r\n\r\n", 4) == 0) {
				hb = p;
				break;
			}
		if(hb && e - hb > 4)
			k = snprintf(tmp, sizeof(tmp), "%5zu", (size_t)(e - hb - 4));
		else
			k = snprintf(tmp, sizeof(tmp), "    0");
		if(k != 5) {
			fprintf(stderr, "sipload: body too long for [len]\n");
			return -1;
		}
		memcpy(c->msg + len_at, tmp, 5);
	}
	/* the CSeq value, for matching the responses */
	cs = NULL;
	{
		const char *p = c->msg, *e = c->msg + c->len;
		while(p < e) {
			const char *le = line_end(p, e), *v;
			if(le == p)
				break;
			if(hdr_is(p, le, "CSeq", 0, &v)) {
				cs = v;
				c->cseq_off = (size_t)(v - c->msg);
				c->cseq_len = (size_t)(le - v);
				break;
			}
			p = next_line(le, e);
		}
	}
	if(!cs) {
		fprintf(stderr, "sipload: the template has no CSeq header\n");
		return -1;
	}
	return 0;
}

/* status code and Call-ID / CSeq values of a response; -1 for anything else */
static int parse_response(const char *m, size_t n, int *code, const char **cid,
		size_t *cidlen, const char **cseq, size_t *cseqlen)
{
	const char *end = m + n, *p, *le, *v;
	if(n < 12 || memcmp(m, "SIP/2.0 ", 8) != 0)
		return -1;
	if(m[8] < '1' || m[8] > '6' || m[9] < '0' || m[9] > '9' || m[10] < '0'
			|| m[10] > '9')
		return -1;
	*code = (m[8] - '0') * 100 + (m[9] - '0') * 10 + (m[10] - '0');
	*cid = *cseq = NULL;
	le = line_end(m, end);
	p = next_line(le, end);
	while(p < end) {
		le = line_end(p, end);
		if(le == p)
			break;
		if(!*cid && hdr_is(p, le, "Call-ID", 'i', &v)) {
			*cid = v;
			*cidlen = (size_t)(le - v);
		} else if(!*cseq && hdr_is(p, le, "CSeq", 0, &v)) {
			*cseq = v;
			*cseqlen = (size_t)(le - v);
		}
		p = next_line(le, end);
	}
	if(!*cid || !*cseq)
		return -1;
	/* trailing blanks */
	while(*cidlen
			&& ((*cid)[*cidlen - 1] == ' ' || (*cid)[*cidlen - 1] == '\t'))
		(*cidlen)--;
	while(*cseqlen
			&& ((*cseq)[*cseqlen - 1] == ' ' || (*cseq)[*cseqlen - 1] == '\t'))
		(*cseqlen)--;
	return 0;
}

/* call number from our Call-ID "N-PID@IP"; 0 when it is not one of ours */
static long callid_number(const struct uac *u, const char *cid, size_t n)
{
	long num = 0;
	size_t i = 0;
	char tail[64];
	int k;
	while(i < n && cid[i] >= '0' && cid[i] <= '9' && num < LONG_MAX / 10) {
		num = num * 10 + (cid[i] - '0');
		i++;
	}
	if(i == 0 || num <= 0)
		return 0;
	k = snprintf(tail, sizeof(tail), "-%u@%s", u->pid, u->local_ip);
	if(k < 0 || (size_t)k != n - i || memcmp(cid + i, tail, (size_t)k) != 0)
		return 0;
	return num;
}

static void uac_free(struct uac *u)
{
	size_t i;
	if(u->fields)
		for(i = 0; i < u->nlines; i++)
			free(u->fields[i]);
	free(u->fields);
	free(u->nfields);
	free(u->lines);
	free(u->comps);
	free(u->csvbuf);
	free(u->tpl);
	memset(u, 0, sizeof(*u));
}

static int parse_hostport(const char *s, char *ip, uint16_t *port)
{
	const char *c = strrchr(s, ':');
	char host[INET_ADDRSTRLEN];
	struct in_addr a;
	if(!c || (size_t)(c - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = 0;
	if(inet_pton(AF_INET, host, &a) != 1)
		return -1;
	inet_ntop(AF_INET, &a, ip, INET_ADDRSTRLEN);
	return parse_port(c + 1, port);
}

static int run_uac(int argc, char **argv)
{
	struct uac u;
	const char *csv = NULL, *tplfile = NULL, *dump = NULL;
	char *tpl;
	long rate = 0, total = 0, maxinf = 0, timeout_s = 20, tick = 0;
	int opt, fd, have_dest = 0;
	struct sockaddr_in dst;
	struct call *calls;
	long *slot_of; /* call number -> slot index + 1 (0 = not in flight) */
	long *free_slots, nfree;
	long started = 0, ok = 0, failed = 0, timeouts = 0, retrans = 0,
		 inflight = 0;
	long unmatched = 0, reported = 0;
	int64_t t0, t_last = 0, timeout_us;
	static char in[MAX_DGRAM + 1];

	memset(&u, 0, sizeof(u));
	strcpy(u.local_ip, "127.0.0.1");
	while((opt = getopt(argc, argv, "d:p:f:t:r:m:l:T:x:i:")) != -1) {
		switch(opt) {
			case 'd':
				if(parse_hostport(optarg, u.remote_ip, &u.remote_port) < 0) {
					fprintf(stderr, "sipload uac: bad -d %s (IPv4:PORT)\n",
							optarg);
					return 2;
				}
				have_dest = 1;
				break;
			case 'p':
				if(parse_port(optarg, &u.local_port) < 0) {
					fprintf(stderr, "sipload uac: bad -p %s\n", optarg);
					return 2;
				}
				break;
			case 'f':
				csv = optarg;
				break;
			case 't':
				tplfile = optarg;
				break;
			case 'r':
				if(parse_long(optarg, 1, 10000000, &rate) < 0)
					return 2;
				break;
			case 'm':
				if(parse_long(optarg, 1, 100000000, &total) < 0)
					return 2;
				break;
			case 'l':
				if(parse_long(optarg, 1, 1000000, &maxinf) < 0)
					return 2;
				break;
			case 'T':
				if(parse_long(optarg, 1, 3600, &timeout_s) < 0)
					return 2;
				break;
			case 'x':
				dump = optarg;
				break;
			case 'i':
				if(parse_long(optarg, 0, 100000, &tick) < 0)
					return 2;
				break;
			default:
				return 2;
		}
	}
	if(!have_dest || !u.local_port || !csv || !tplfile || !rate || !total
			|| !maxinf) {
		fprintf(stderr, "usage: sipload uac -d HOST:PORT -p LOCALPORT -f CSV "
						"-t SCENARIO\n"
						"  -r RATE -m TOTAL -l MAXINFLIGHT [-T TIMEOUT_S] [-x "
						"DUMPFILE]\n"
						"  [-i TICK_US]\n");
		return 2;
	}
	u.pid = (unsigned)getpid();
	tpl = u.tpl = scenario_message(tplfile);
	if(!tpl || parse_template(&u, tpl) < 0 || load_csv(&u, csv) < 0) {
		uac_free(&u);
		return 1;
	}
	/* RFC 3261 17.1.2.2: timer F = 64*T1 ends the transaction; -T may end it earlier */
	timeout_us = (int64_t)timeout_s * 1000000;
	if(timeout_us > TIMER_F_US)
		timeout_us = TIMER_F_US;

	calls = calloc((size_t)maxinf, sizeof(*calls));
	free_slots = calloc((size_t)maxinf, sizeof(long));
	slot_of = calloc((size_t)total + 1, sizeof(long));
	if(!calls || !free_slots || !slot_of) {
		fprintf(stderr, "sipload uac: out of memory\n");
		return 1;
	}
	for(nfree = 0; nfree < maxinf; nfree++)
		free_slots[nfree] = maxinf - 1 - nfree;

	memset(&dst, 0, sizeof(dst));
	dst.sin_family = AF_INET;
	dst.sin_port = htons(u.remote_port);
	inet_pton(AF_INET, u.remote_ip, &dst.sin_addr);

	install_signals();
	fd = udp_bind(u.local_port);
	if(fd < 0)
		return 1;

	if(dump) {
		struct call dc;
		FILE *f;
		memset(&dc, 0, sizeof(dc));
		if(build_request(&u, &dc, 1) < 0)
			return 1;
		f = fopen(dump, "wb");
		if(!f || fwrite(dc.msg, 1, dc.len, f) != dc.len || fclose(f) != 0) {
			fprintf(stderr, "sipload uac: cannot write %s\n", dump);
			return 1;
		}
		free(dc.msg);
	}

	t0 = now_us();
	while(!g_stop && (started < total || inflight > 0)) {
		int64_t now = now_us(), next = now + 1000000;
		long i;
		int r;
		struct pollfd pfd = {fd, POLLIN, 0};

		/* new requests: token bucket (RATE/s, burst 1) and the in-flight limit */
		while(started < total && inflight < maxinf) {
			int64_t due = t0 + (int64_t)((double)started * 1e6 / (double)rate);
			struct call *c;
			long s;
			if(due > now) {
				if(due < next)
					next = due;
				break;
			}
			s = free_slots[--nfree];
			c = &calls[s];
			started++;
			if(build_request(&u, c, started) < 0) {
				fprintf(stderr, "sipload uac: cannot build request %ld\n",
						started);
				g_stop = 1;
				nfree++;
				break;
			}
			c->num = started;
			c->t_start = now;
			c->interval = T1_US;
			c->t_next = now + T1_US;
			c->proceeding = 0;
			slot_of[started] = s + 1;
			inflight++;
			if(sendto(fd, c->msg, c->len, 0, (struct sockaddr *)&dst,
					   sizeof(dst))
							< 0
					&& errno != EAGAIN && errno != ENOBUFS)
				perror("sipload uac: sendto");
		}

		/* retransmissions and timeouts */
		for(i = 0; i < maxinf; i++) {
			struct call *c = &calls[i];
			if(!c->num)
				continue;
			if(now - c->t_start >= timeout_us) {
				if(reported++ < 10)
					fprintf(stderr,
							"sipload uac: call %ld: no final response in %lld "
							"ms\n",
							c->num, (long long)(timeout_us / 1000));
				slot_of[c->num] = 0;
				c->num = 0;
				free_slots[nfree++] = i;
				inflight--;
				failed++;
				timeouts++;
				t_last = now;
				continue;
			}
			if(now >= c->t_next) {
				sendto(fd, c->msg, c->len, 0, (struct sockaddr *)&dst,
						sizeof(dst));
				retrans++;
				/* timer E: doubles up to T2; T2 once proceeding */
				c->interval = c->proceeding ? T2_US
											: (c->interval * 2 > T2_US
															? T2_US
															: c->interval * 2);
				c->t_next = now + c->interval;
			}
			if(c->t_next < next)
				next = c->t_next;
			if(c->t_start + timeout_us < next)
				next = c->t_start + timeout_us;
		}
		if(started >= total && inflight == 0)
			break;

		now = now_us();
		if(tick) {
			/* fixed tick (or the next timer when sooner), then drain the socket */
			sleep_us(next - now < tick ? next - now : tick);
		} else {
			r = poll(
					&pfd, 1, next > now ? (int)((next - now + 999) / 1000) : 0);
			if(r < 0 && errno != EINTR) {
				perror("sipload uac: poll");
				break;
			}
			if(r <= 0)
				continue;
		}
		for(;;) {
			ssize_t n = recv(fd, in, MAX_DGRAM, 0);
			int code;
			const char *cid, *cseq;
			size_t cidlen, cseqlen;
			long num, s;
			struct call *c;
			if(n < 0) {
				if(errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
					perror("sipload uac: recv");
				break;
			}
			if(parse_response(
					   in, (size_t)n, &code, &cid, &cidlen, &cseq, &cseqlen)
					< 0) {
				unmatched++;
				continue;
			}
			num = callid_number(&u, cid, cidlen);
			if(num <= 0 || num > total || !slot_of[num]) {
				unmatched++; /* not ours, or late (the call already ended) */
				continue;
			}
			s = slot_of[num] - 1;
			c = &calls[s];
			if(cseqlen != c->cseq_len
					|| memcmp(cseq, c->msg + c->cseq_off, cseqlen) != 0) {
				unmatched++;
				continue;
			}
			if(code < 200) {
				if(!c->proceeding) {
					c->proceeding = 1;
					c->interval = T2_US;
					c->t_next = now_us() + T2_US;
				}
				continue;
			}
			if(code == 200) {
				ok++;
			} else {
				failed++;
				if(reported++ < 10) {
					const char *le = line_end(in, in + n);
					fprintf(stderr, "sipload uac: call %ld: %.*s\n", num,
							(int)(le - in), in);
				}
			}
			slot_of[num] = 0;
			c->num = 0;
			free_slots[nfree++] = s;
			inflight--;
			t_last = now_us();
		}
	}
	if(!t_last)
		t_last = now_us();
	if(g_stop && (started < total || inflight > 0))
		fprintf(stderr,
				"sipload uac: stopped with %ld not started, %ld in flight\n",
				total - started, inflight);
	printf("sent=%ld ok=%ld failed=%ld retransmissions=%ld elapsed_us=%lld "
		   "rate_per_s=%.1f\n",
			started, ok, failed, retrans, (long long)(t_last - t0),
			t_last > t0 ? (double)ok * 1e6 / (double)(t_last - t0) : 0.0);
	if(timeouts || unmatched)
		fprintf(stderr, "sipload uac: timeouts=%ld unmatched_datagrams=%ld\n",
				timeouts, unmatched);
	fflush(stdout);
	close(fd);
	for(nfree = 0; nfree < maxinf; nfree++)
		free(calls[nfree].msg);
	free(calls);
	free(free_slots);
	free(slot_of);
	uac_free(&u);
	return (failed == 0 && ok == total) ? 0 : 1;
}

int main(int argc, char **argv)
{
	if(argc >= 2 && strcmp(argv[1], "uas") == 0)
		return run_uas(argc - 1, argv + 1);
	if(argc >= 2 && strcmp(argv[1], "uac") == 0)
		return run_uac(argc - 1, argv + 1);
	fprintf(stderr,
			"usage: sipload uas -p PORT [-c COUNTFILE] [-i TICK_US]\n"
			"       sipload uac -d HOST:PORT -p LOCALPORT -f CSV -t SCENARIO\n"
			"         -r RATE -m TOTAL -l MAXINFLIGHT [-T TIMEOUT_S] [-x "
			"DUMPFILE]\n"
			"         [-i TICK_US]\n");
	return 2;
}
