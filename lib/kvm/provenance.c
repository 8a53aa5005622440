// SPDX-License-Identifier: GPL-2.0
/*
 * Host facts a result needs to be reproduced or compared: the CPU's
 * microcode, the frequency governor and boost (a run at another clock
 * is another machine), a hash of the kernel's configuration, and the
 * SEV firmware and TDX module versions where present.  Only files and
 * one ioctl are read; what is absent stays "" (or "none"/"unknown").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/psp-sev.h>

#include "provenance.h"
#include "test_util.h"

static void read_microcode(struct host_provenance *p)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, "microcode", 9) || !(v = strchr(line, ':')))
			continue;
		v += strspn(v + 1, " \t") + 1;
		v[strcspn(v, "\n")] = '\0';
		snprintf(p->microcode, sizeof(p->microcode), "%s", v);
		break;
	}
	fclose(f);
}

static void read_cpufreq(struct host_provenance *p)
{
	static const char *const cpu0 = "/sys/devices/system/cpu/cpu0/cpufreq";
	char path[128], v[32];

	snprintf(path, sizeof(path), "%s/scaling_governor", cpu0);
	if (!read_file_str(path, p->governor, sizeof(p->governor)))
		snprintf(p->governor, sizeof(p->governor), "none");
	snprintf(path, sizeof(path), "%s/scaling_driver", cpu0);
	if (!read_file_str(path, p->cpufreq_driver, sizeof(p->cpufreq_driver)))
		snprintf(p->cpufreq_driver, sizeof(p->cpufreq_driver), "none");
	/* acpi-cpufreq and amd-pstate: boost; intel_pstate: no_turbo. */
	snprintf(p->boost, sizeof(p->boost), "unknown");
	if (read_file_str("/sys/devices/system/cpu/cpufreq/boost", v,
			  sizeof(v)) ||
	    read_file_str("/sys/devices/system/cpu/cpu0/cpufreq/boost", v,
			  sizeof(v)))
		snprintf(p->boost, sizeof(p->boost), "%s",
			 v[0] == '1' ? "on" : "off");
	else if (read_file_str("/sys/devices/system/cpu/intel_pstate/no_turbo",
			       v, sizeof(v)))
		snprintf(p->boost, sizeof(p->boost), "%s",
			 v[0] == '1' ? "off" : "on");
}

/* FNV-1a 64 of the file's bytes; false if it cannot be read. */
static bool hash_file(const char *path, char *out, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned char buf[65536];
	ssize_t n, i;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	close(fd);
	if (n < 0)
		return false;
	snprintf(out, len, "%016llx", (unsigned long long)h);
	return true;
}

static void read_config(struct host_provenance *p, const char *release)
{
	char boot[160];

	snprintf(boot, sizeof(boot), "/boot/config-%s", release);
	if (hash_file("/proc/config.gz", p->config_hash,
		      sizeof(p->config_hash)))
		snprintf(p->config_source, sizeof(p->config_source),
			 "/proc/config.gz");
	else if (hash_file(boot, p->config_hash, sizeof(p->config_hash)))
		snprintf(p->config_source, sizeof(p->config_source), "%s",
			 boot);
	else
		snprintf(p->config_source, sizeof(p->config_source), "none");
}

/* SEV_PLATFORM_STATUS: the firmware's API version and build. */
static void read_sev(struct host_provenance *p)
{
	struct sev_user_data_status st = { 0 };
	struct sev_issue_cmd cmd = {
		.cmd = SEV_PLATFORM_STATUS,
		.data = (uint64_t)(uintptr_t)&st,
	};
	int fd = open("/dev/sev", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			snprintf(p->sev_error, sizeof(p->sev_error),
				 "/dev/sev: %s", strerror(errno));
		return;
	}
	if (ioctl(fd, SEV_ISSUE_CMD, &cmd)) {
		snprintf(p->sev_error, sizeof(p->sev_error),
			 "SEV_PLATFORM_STATUS: %s (firmware error %u)",
			 strerror(errno), cmd.error);
	} else {
		p->sev_fw = true;
		p->sev_api_major = st.api_major;
		p->sev_api_minor = st.api_minor;
		p->sev_build = st.build;
	}
	close(fd);
}

/* Every attribute file of the TDX module's sysfs directory. */
static void read_tdx(struct host_provenance *p)
{
	static const char *const dir = "/sys/firmware/tdx/tdx_module";
	struct dirent *de;
	char path[320];
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) && p->nr_tdx < PROV_MAX_TDX) {
		unsigned int i = p->nr_tdx;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!read_file_str(path, p->tdx_value[i],
				   sizeof(p->tdx_value[i])))
			continue;
		snprintf(p->tdx_name[i], sizeof(p->tdx_name[i]), "%.31s",
			 de->d_name);
		p->nr_tdx++;
	}
	closedir(d);
}

void provenance_read(struct host_provenance *p, const char *release)
{
	memset(p, 0, sizeof(*p));
	read_microcode(p);
	read_cpufreq(p);
	read_config(p, release);
	read_sev(p);
	read_tdx(p);
}
