// SPDX-License-Identifier: GPL-2.0
/*
 * results attach-perf RESULT.json PERF.csv: `perf stat -x,` counts added
 * to a result document (scripts/bench PERF=1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results.h"

/*
 * Append {"perf_stat": {"events": {name: count}}} to a result document.
 * Our writer ends every document with "}\n", so the member is inserted
 * before that brace; the result is parsed again before it replaces the
 * file.
 */
int cmd_attach_perf(const char *json_path, const char *perf_path)
{
	char err[256], line[512], tmp[1024], *text;
	struct jnode *root = json_parse_file(json_path, err, sizeof(err));
	FILE *in, *out;
	long size, end;
	bool first = true;

	if (!root)
		die("%s: malformed result file: %s", json_path, err);
	json_free(root);
	in = fopen(json_path, "re");
	if (!in)
		die("%s: %s", json_path, strerror(errno));
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	rewind(in);
	text = malloc(size + 1);
	TEST_ASSERT(text, "malloc");
	if (fread(text, 1, size, in) != (size_t)size)
		die("%s: cannot read%s", json_path, "");
	fclose(in);
	text[size] = '\0';
	for (end = size - 1; end >= 0 && text[end] != '}'; end--)
		;
	if (end <= 0)
		die("%s: not an object%s", json_path, "");
	while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' '))
		end--;
	in = fopen(perf_path, "re");
	if (!in)
		die("%s: %s", perf_path, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s.tmp", json_path);
	out = fopen(tmp, "we");
	if (!out)
		die("%s: %s", tmp, strerror(errno));
	fwrite(text, 1, end, out);
	fprintf(out, ",\n  \"perf_stat\": {\n    \"events\": {");
	while (fgets(line, sizeof(line), in)) {
		char *count = strtok(line, ","), *unit, *event;

		/* "count,unit,event,run time,percent,..."; skip comments. */
		if (!count || line[0] == '#' || line[0] == '\n')
			continue;
		unit = strtok(NULL, ",");
		event = unit && strchr(unit, ':') ? unit : strtok(NULL, ",");
		if (!event || !strchr(event, ':'))
			continue;
		fprintf(out, "%s\n      \"%s\": ", first ? "" : ",", event);
		if (count[0] == '<')	/* <not counted>, <not supported> */
			fprintf(out, "null");
		else
			fprintf(out, "%.0f", strtod(count, NULL));
		first = false;
	}
	fprintf(out, "\n    }\n  }\n}\n");
	fclose(in);
	fclose(out);
	free(text);
	root = json_parse_file(tmp, err, sizeof(err));
	if (!root) {
		unlink(tmp);
		die("attaching perf counts broke the document: %s%s", err, "");
	}
	json_free(root);
	if (rename(tmp, json_path))
		die("%s: %s", json_path, strerror(errno));
	return 0;
}
