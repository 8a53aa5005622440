/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a measurement ran on beyond the kernel and the CPU's name: the
 * microcode, the frequency governor and boost state, the kernel's
 * configuration (a hash), and the confidential-computing firmware (SEV
 * API version and build from /dev/sev, the TDX module's sysfs
 * attributes) where the host has them.  Filled by probe_host().
 */
#ifndef GMEM_PROVENANCE_H
#define GMEM_PROVENANCE_H

#include <stdbool.h>
#include <stdint.h>

#define PROV_MAX_TDX	12

struct host_provenance {
	char microcode[32];		/* /proc/cpuinfo, "" in most guests */
	char governor[32];		/* "none": no cpufreq (a guest) */
	char cpufreq_driver[32];
	char boost[16];			/* "on", "off", "unknown" */
	char config_source[160];	/* /proc/config.gz, /boot/config-R */
	char config_hash[24];		/* FNV-1a 64 of its bytes, hex */
	bool sev_fw;			/* SEV_PLATFORM_STATUS answered */
	unsigned int sev_api_major, sev_api_minor, sev_build;
	char sev_error[64];		/* why not, when /dev/sev exists */
	unsigned int nr_tdx;		/* /sys/firmware/tdx/tdx_module/ */
	char tdx_name[PROV_MAX_TDX][32], tdx_value[PROV_MAX_TDX][64];
};

void provenance_read(struct host_provenance *p, const char *release);

#endif
