/* SPDX-License-Identifier: GPL-2.0 */
/* A small streaming JSON writer (objects, arrays, escaped strings). */
#ifndef GMEM_JSON_H
#define GMEM_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool compact;		/* one line per top-level value */
};

void json_init(struct json *j, FILE *f);
/* The same writer, each top-level value on one line (JSON lines). */
void json_init_compact(struct json *j, FILE *f);
/* key is NULL inside arrays and for the top-level value. */
void json_obj_begin(struct json *j, const char *key);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *val);
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
/* NaN and infinities are written as null. */
void json_double(struct json *j, const char *key, double val);
void json_bool(struct json *j, const char *key, bool val);
void json_null(struct json *j, const char *key);

#endif /* GMEM_JSON_H */
