// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hoststate.h"
#include "test_util.h"

bool (*test_skip_hook)(const char *reason);

static void vdiag(const char *fmt, va_list ap)
{
	char small[2048], *buf, *line, *save;
	va_list copy;

	/* Any length (the probe's JSON is long); truncated if out of memory. */
	va_copy(copy, ap);
	if (vasprintf(&buf, fmt, ap) < 0) {
		vsnprintf(small, sizeof(small), fmt, copy);
		buf = small;
	}
	va_end(copy);
	/* Every output line is a KTAP comment. */
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	fflush(stdout);
	if (buf != small)
		free(buf);
}

void test_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
}

void test_assert_fail(const char *file, int line, const char *expr, int err,
		      const char *fmt, ...)
{
	va_list ap;

	if (expr)
		test_diag("%s:%d: assertion failed: %s", file, line, expr);
	else
		test_diag("%s:%d: failure", file, line);
	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
	if (err)
		test_diag("errno at failure: %d (%s)", err, errno_name(err));
	fflush(stdout);
	hoststate_release_all();
	_exit(KSFT_FAIL);
}

void test_skip(const char *fmt, ...)
{
	char reason[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (!test_skip_hook || !test_skip_hook(reason))
		printf("# SKIP %s\n", reason);
	fflush(stdout);
	hoststate_release_all();
	_exit(KSFT_SKIP);
}

const char *errno_name(int err)
{
	static const struct { int e; const char *n; } names[] = {
		{ 0, "0 (success)" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { E2BIG, "E2BIG" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" },
		{ ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ENXIO, "ENXIO" },
		{ EHWPOISON, "EHWPOISON" }, { EOVERFLOW, "EOVERFLOW" },
	};
	static __thread char other[32];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].e == err)
			return names[i].n;
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

bool parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	switch (toupper((unsigned char)*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	case '\0': break;
	default: return false;
	}
	if (shift && (!strcasecmp(end, "iB") || !strcasecmp(end, "B")))
		end += strlen(end);
	if (*end)
		return false;
	if (shift && v > (~0ULL >> shift))
		return false;
	*out = v << shift;
	return true;
}

bool read_file_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return true;
}

bool read_file_u64(const char *path, uint64_t *val)
{
	char buf[64], *end;

	if (!read_file_str(path, buf, sizeof(buf)) || !buf[0])
		return false;
	errno = 0;
	*val = strtoull(buf, &end, 0);
	return !errno && end != buf;
}

bool write_file_str(const char *path, const char *val)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f)
		return false;
	ok = fputs(val, f) >= 0;
	ok = (fclose(f) == 0) && ok;
	return ok;
}

/*
 * Run fn in a child whose output goes to a pipe; return its exit status
 * and what it printed.  Failure reports must come from a failing child.
 */
int test_run_captured(void (*fn)(void), char *out, size_t len)
{
	int pfd[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	TEST_ASSERT(!pipe(pfd), "pipe");
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		dup2(pfd[1], STDOUT_FILENO);
		close(pfd[0]);
		close(pfd[1]);
		fn();
		_exit(0);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

unsigned int table_row(unsigned int row, const char *what, int want, int got)
{
	test_diag("row %u %s: want %s, got %s%s", row, what, errno_name(want),
		  errno_name(got), want == got ? "" : "  <-- WRONG");
	return want != got;
}

unsigned int table_row_str(unsigned int row, const char *what,
			   const char *want, const char *got)
{
	bool bad = strcmp(want, got);

	test_diag("row %u %s: want %s, got %s%s", row, what, want, got,
		  bad ? "  <-- WRONG" : "");
	return bad;
}
