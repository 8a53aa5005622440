// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON reader behind `results` (summary, plots, compare): what our
 * writer produces reads back exactly, and malformed documents are
 * refused with the byte offset, never half-read.
 */
#include <stdio.h>
#include <stdlib.h>

#include "json.h"
#include "jsonread.h"
#include "ktap.h"
#include "test_util.h"

/* Write with lib/results/json.c, read with lib/results/jsonread.c. */
static void round_trip(void)
{
	char *buf = NULL, err[128];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct jnode *root;
	struct json j;

	TEST_ASSERT(f, "open_memstream");
	json_init(&j, f);
	json_obj_begin(&j, NULL);
	json_u64(&j, "schema", 1);
	json_str(&j, "tool", "fault_bench");
	json_str(&j, "odd", "quote\" back\\slash\ttab\nnl");
	json_obj_begin(&j, "results");
	json_double(&j, "p50", 1234.5);
	json_double(&j, "nan", 0.0 / 0.0);
	json_bool(&j, "yes", true);
	json_arr_begin(&j, "buckets");
	json_arr_begin(&j, NULL);
	json_double(&j, NULL, 1e3);
	json_u64(&j, NULL, 7);
	json_arr_end(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	json_obj_end(&j);
	fclose(f);

	root = json_parse(buf, err, sizeof(err));
	TEST_ASSERT(root, "our own output does not parse: %s", err);
	TEST_ASSERT_EQ(json_num(root, "schema", -1), 1);
	TEST_ASSERT(!strcmp(json_str_at(root, "tool", ""), "fault_bench"),
		    "tool");
	TEST_ASSERT(!strcmp(json_str_at(root, "odd", ""),
			    "quote\" back\\slash\ttab\nnl"), "escapes");
	TEST_ASSERT(json_num(root, "results.p50", 0) == 1234.5, "p50");
	TEST_ASSERT(json_get(root, "results.nan")->type == J_NULL,
		    "NaN must be written as null");
	TEST_ASSERT(json_get(root, "results.yes")->b, "bool");
	TEST_ASSERT_EQ(json_num(root, "results.buckets.0.1", 0), 7);
	TEST_ASSERT(!json_get(root, "results.missing"), "missing member");
	json_free(root);
	free(buf);
}

static void malformed_refused(void)
{
	const char *bad[] = {
		"", "{", "{\"a\": }", "{\"a\" 1}", "[1, 2", "{\"a\": 1,}",
		"{\"a\": \"unterminated}", "{\"a\": 1} trailing", "nul",
		"{\"a\": \"\\q\"}", "{1: 2}",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		char err[128] = "";
		struct jnode *n = json_parse(bad[i], err, sizeof(err));

		TEST_ASSERT(!n, "malformed input %u accepted: '%s'", i, bad[i]);
		TEST_ASSERT(strstr(err, "at byte"), "input %u: error '%s' "
			    "does not say where", i, err);
	}
}

static const struct ktap_case cases[] = {
	KTAP_CASE(round_trip),
	KTAP_CASE(malformed_refused),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
