/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader for result files: parses a whole document into a
 * tree, and looks values up by dotted path ("results.latency_ns.p50").
 * Malformed input yields NULL and a message naming the byte offset.
 */
#ifndef GMEM_JSONREAD_H
#define GMEM_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jnode {
	enum jtype type;
	char *key;		/* member name inside an object */
	char *str;
	double num;
	bool b;
	struct jnode *child;	/* first element or member */
	struct jnode *next;	/* next sibling */
};

/* Parse text; NULL on error with the reason in err (len bytes). */
struct jnode *json_parse(const char *text, char *err, size_t len);
/* Read and parse a file; NULL with err filled on any failure. */
struct jnode *json_parse_file(const char *path, char *err, size_t len);
void json_free(struct jnode *n);
/* Member by dotted path ("a.b.c"); array elements as "a.3". */
const struct jnode *json_get(const struct jnode *n, const char *path);
/* Number at path, or def when absent or not a number. */
double json_num(const struct jnode *n, const char *path, double def);
/* String at path, or def. */
const char *json_str_at(const struct jnode *n, const char *path,
			const char *def);

#endif /* GMEM_JSONREAD_H */
