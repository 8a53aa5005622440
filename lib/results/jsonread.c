// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>

#include "jsonread.h"
#include "test_util.h"

struct parser {
	const char *s, *p;
	char *err;
	size_t len;
	bool failed;
};

static void fail(struct parser *ps, const char *what)
{
	if (!ps->failed)
		snprintf(ps->err, ps->len, "%s at byte %ld", what,
			 (long)(ps->p - ps->s));
	ps->failed = true;
}

static void skip_ws(struct parser *ps)
{
	while (isspace((unsigned char)*ps->p))
		ps->p++;
}

static struct jnode *node(enum jtype t)
{
	struct jnode *n = calloc(1, sizeof(*n));

	TEST_ASSERT(n, "calloc");
	n->type = t;
	return n;
}

static char *parse_string(struct parser *ps)
{
	size_t cap = 16, n = 0;
	char *out = malloc(cap);

	TEST_ASSERT(out, "malloc");
	ps->p++;	/* opening quote */
	while (*ps->p && *ps->p != '"') {
		char c = *ps->p++;

		if (c == '\\') {
			c = *ps->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				/* Results are ASCII: keep \uXXXX as '?'. */
				if (!isxdigit((unsigned char)ps->p[0]) ||
				    !isxdigit((unsigned char)ps->p[1]) ||
				    !isxdigit((unsigned char)ps->p[2]) ||
				    !isxdigit((unsigned char)ps->p[3])) {
					fail(ps, "bad \\u escape");
					free(out);
					return NULL;
				}
				ps->p += 4;
				c = '?';
				break;
			case '"': case '\\': case '/': break;
			default:
				fail(ps, "bad escape");
				free(out);
				return NULL;
			}
		}
		if (n + 2 > cap) {
			cap *= 2;
			out = realloc(out, cap);
			TEST_ASSERT(out, "realloc");
		}
		out[n++] = c;
	}
	if (*ps->p != '"') {
		fail(ps, "unterminated string");
		free(out);
		return NULL;
	}
	ps->p++;
	out[n] = '\0';
	return out;
}

static struct jnode *parse_value(struct parser *ps, int depth);

static struct jnode *parse_container(struct parser *ps, int depth, bool obj)
{
	struct jnode *n = node(obj ? J_OBJ : J_ARR), **tail = &n->child;
	char close = obj ? '}' : ']';

	ps->p++;
	skip_ws(ps);
	if (*ps->p == close) {
		ps->p++;
		return n;
	}
	for (;;) {
		char *key = NULL;
		struct jnode *v;

		skip_ws(ps);
		if (obj) {
			if (*ps->p != '"') {
				fail(ps, "expected a member name");
				break;
			}
			key = parse_string(ps);
			if (!key)
				break;
			skip_ws(ps);
			if (*ps->p != ':') {
				free(key);
				fail(ps, "expected ':'");
				break;
			}
			ps->p++;
		}
		v = parse_value(ps, depth + 1);
		if (!v) {
			free(key);
			break;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		skip_ws(ps);
		if (*ps->p == ',') {
			ps->p++;
			continue;
		}
		if (*ps->p == close) {
			ps->p++;
			return n;
		}
		fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	json_free(n);
	return NULL;
}

static struct jnode *parse_value(struct parser *ps, int depth)
{
	struct jnode *n;
	char *end;

	if (depth > 64) {
		fail(ps, "nested too deep");
		return NULL;
	}
	skip_ws(ps);
	switch (*ps->p) {
	case '{':
		return parse_container(ps, depth, true);
	case '[':
		return parse_container(ps, depth, false);
	case '"':
		n = node(J_STR);
		n->str = parse_string(ps);
		if (!n->str) {
			free(n);
			return NULL;
		}
		return n;
	case 't':
	case 'f':
	case 'n':
		if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
			n = node(J_BOOL);
			n->b = *ps->p == 't';
			ps->p += n->b ? 4 : 5;
			return n;
		}
		if (!strncmp(ps->p, "null", 4)) {
			ps->p += 4;
			return node(J_NULL);
		}
		break;
	default:
		if (*ps->p == '-' || isdigit((unsigned char)*ps->p)) {
			n = node(J_NUM);
			n->num = strtod(ps->p, &end);
			ps->p = end;
			return n;
		}
	}
	fail(ps, "unexpected character");
	return NULL;
}

struct jnode *json_parse(const char *text, char *err, size_t len)
{
	struct parser ps = { .s = text, .p = text, .err = err, .len = len };
	struct jnode *n = parse_value(&ps, 0);

	if (n) {
		skip_ws(&ps);
		if (*ps.p) {
			fail(&ps, "trailing data");
			json_free(n);
			n = NULL;
		}
	}
	return n;
}

struct jnode *json_parse_file(const char *path, char *err, size_t len)
{
	FILE *f = fopen(path, "re");
	struct jnode *n;
	struct stat st;
	char *buf;
	long size;

	if (!f) {
		snprintf(err, len, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, len, "not a regular file");
		fclose(f);
		return NULL;
	}
	if (st.st_size > (64 << 20)) {
		snprintf(err, len, "%lld bytes: larger than any result "
			 "(64 MiB)", (long long)st.st_size);
		fclose(f);
		return NULL;
	}
	size = st.st_size;
	buf = malloc(size + 1);
	TEST_ASSERT(buf, "malloc(%ld)", size + 1);
	if (fread(buf, 1, size, f) != (size_t)size) {
		snprintf(err, len, "cannot read");
		free(buf);
		fclose(f);
		return NULL;
	}
	buf[size] = '\0';
	fclose(f);
	n = json_parse(buf, err, len);
	free(buf);
	return n;
}

void json_free(struct jnode *n)
{
	while (n) {
		struct jnode *next = n->next;

		json_free(n->child);
		free(n->key);
		free(n->str);
		free(n);
		n = next;
	}
}

const struct jnode *json_get(const struct jnode *n, const char *path)
{
	char part[128];
	const char *dot;

	while (n && *path) {
		const struct jnode *c;
		size_t l;

		dot = strchr(path, '.');
		l = dot ? (size_t)(dot - path) : strlen(path);
		if (l >= sizeof(part))
			return NULL;
		memcpy(part, path, l);
		part[l] = '\0';
		path += l + (dot ? 1 : 0);
		if (n->type == J_ARR) {
			long i = strtol(part, NULL, 10);

			for (c = n->child; c && i; c = c->next)
				i--;
		} else if (n->type == J_OBJ) {
			for (c = n->child; c; c = c->next)
				if (!strcmp(c->key, part))
					break;
		} else {
			return NULL;
		}
		n = c;
	}
	return n;
}

double json_num(const struct jnode *n, const char *path, double def)
{
	const struct jnode *v = json_get(n, path);

	return v && v->type == J_NUM ? v->num : def;
}

const char *json_str_at(const struct jnode *n, const char *path,
			const char *def)
{
	const struct jnode *v = json_get(n, path);

	return v && v->type == J_STR ? v->str : def;
}
