// SPDX-License-Identifier: GPL-2.0
/*
 * host_report: what this host offers gmemsuite, one check a line, in the
 * manner of `snphost ok`:  PASS|FAIL|SKIP  name — detail or hint.
 *   FAIL: something the suite needs is broken or misconfigured.
 *   SKIP: a feature is absent; the tests that need it will skip.
 * --json prints the full probe and the checks.  Exit 1 if a check FAILs;
 * the snp.* and tdx.* lines count only with --require snp|tdx (vendor
 * qualification), so other hosts are not failed for lacking them.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "coco.h"
#include "compat.h"
#include "processor.h"
#include "json.h"
#include "gmem.h"
#include "kvm_json.h"
#include "probe.h"
#include "test_util.h"

enum verdict { PASS, FAIL, SKIP };

struct check {
	enum verdict v;
	char name[48];
	char text[256];
};

static struct check checks[96];
static unsigned int nr_checks;

static void __printf(3, 4) add(enum verdict v, const char *name,
			       const char *fmt, ...)
{
	struct check *c = &checks[nr_checks++];
	va_list ap;

	c->v = v;
	snprintf(c->name, sizeof(c->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
}

static bool param_is_y(const struct host_probe *p, const char *m,
		       const char *n)
{
	const char *v = probe_param(p, m, n);

	return v && (v[0] == 'Y' || v[0] == 'y' || v[0] == '1');
}

static void check_kvm(const struct host_probe *p)
{
	if (!p->kvm_ok) {
		add(FAIL, "kvm.dev", "%s — load kvm_intel or kvm_amd, run as "
		    "root or in the kvm group", p->kvm_error);
		return;
	}
	add(PASS, "kvm.dev", "/dev/kvm opened, API %d, module %s",
	    p->api_version, p->kvm_module[0] ? p->kvm_module : "?");
	if (p->cap_user_memory2)
		add(PASS, "kvm.user_memory2", "KVM_SET_USER_MEMORY_REGION2");
	else
		add(FAIL, "kvm.user_memory2", "KVM_CAP_USER_MEMORY2 absent — "
		    "kernel older than 6.8: guest_memfd cannot be bound");
	if (p->cap_memory_fault_info)
		add(PASS, "kvm.memory_fault_info", "KVM_EXIT_MEMORY_FAULT");
	else
		add(SKIP, "kvm.memory_fault_info", "KVM_CAP_MEMORY_FAULT_INFO "
		    "absent (6.8+)");
	if (p->cap_exit_hypercall & (1 << KVM_HC_MAP_GPA_RANGE))
		add(PASS, "kvm.exit_hypercall", "KVM_HC_MAP_GPA_RANGE can exit"
		    " to userspace");
	else
		add(SKIP, "kvm.exit_hypercall", "KVM_CAP_EXIT_HYPERCALL lacks "
		    "KVM_HC_MAP_GPA_RANGE — guest-driven conversions skip");
	if (p->cap_binary_stats)
		add(PASS, "kvm.stats", "binary stats (pages_4k/2m/1g, pf_*)");
	else
		add(SKIP, "kvm.stats", "KVM_CAP_BINARY_STATS_FD absent (5.14+)"
		    " — benchmarks report no KVM counters");
	if (p->cap_pre_fault_memory)
		add(PASS, "kvm.pre_fault_memory", "KVM_PRE_FAULT_MEMORY");
	else
		add(SKIP, "kvm.pre_fault_memory", "KVM_CAP_PRE_FAULT_MEMORY "
		    "absent");
	if (p->tsc_khz)
		add(PASS, "kvm.tsc", "KVM_GET_TSC_KHZ = %llu kHz",
		    (unsigned long long)p->tsc_khz);
	else
		add(FAIL, "kvm.tsc", "KVM_GET_TSC_KHZ failed (%s) — the host "
		    "TSC is not calibrated; under QEMU TCG boot with "
		    "tsc_early_khz=<kHz>", errno_name(p->tsc_errno));
	if (p->gbpages)
		add(PASS, "kvm.gbpages", "1G guest mappings");
	else
		add(SKIP, "kvm.gbpages", "CPUID GBPAGES not offered to guests "
		    "— 1G guest mappings skip");
}

static void check_mmu(const struct host_probe *p)
{
	const char *tdp = probe_param(p, "kvm", "tdp_mmu");

	if (param_is_y(p, "kvm", "tdp_mmu"))
		add(PASS, "mmu.tdp_mmu", "kvm.tdp_mmu=Y");
	else
		add(SKIP, "mmu.tdp_mmu", "kvm.tdp_mmu=%s — shadow or legacy "
		    "MMU; private memory VM types need the TDP MMU",
		    tdp ? tdp : "(absent)");
}

static void check_gmem(const struct host_probe *p)
{
	const struct probe_vm_type *def = &p->vm_type[KVM_X86_DEFAULT_VM];
	const struct probe_vm_type *sw = &p->vm_type[KVM_X86_SW_PROTECTED_VM];
	enum tristate inplace = probe_in_place_param(p);
	bool ioctl_any = false, private_any = false;
	unsigned int t;

	if (!p->cap_guest_memfd) {
		add(FAIL, "gmem.create", "%s",
		    gmem_absent_reason(p->kernel_release));
		return;
	}
	add(PASS, "gmem.create", "KVM_CREATE_GUEST_MEMFD");
	add(def->gmem_flags & GUEST_MEMFD_FLAG_MMAP ? PASS : SKIP,
	    "gmem.flag_mmap", "GUEST_MEMFD_FLAG_MMAP on default VMs: %s",
	    def->gmem_flags & GUEST_MEMFD_FLAG_MMAP ? "yes" :
	    "no (6.18+)");
	add(def->gmem_flags & GUEST_MEMFD_FLAG_INIT_SHARED ? PASS : SKIP,
	    "gmem.flag_init_shared", "GUEST_MEMFD_FLAG_INIT_SHARED on "
	    "default VMs: %s", def->gmem_flags & GUEST_MEMFD_FLAG_INIT_SHARED
	    ? "yes" : "no (6.18+)");
	if (sw->created)
		add(PASS, "vm.sw_protected", "KVM_X86_SW_PROTECTED_VM");
	else
		add(SKIP, "vm.sw_protected", "KVM_X86_SW_PROTECTED_VM not "
		    "offered — needs CONFIG_KVM_SW_PROTECTED_VM=y and "
		    "kvm.tdp_mmu=Y; `make vmcheck` boots such a kernel");
	if (sw->created && (sw->mem_attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE))
		add(PASS, "attrs.vm_private", "KVM_SET_MEMORY_ATTRIBUTES "
		    "(PRIVATE) on the VM fd");
	else
		add(SKIP, "attrs.vm_private", "no VM-level PRIVATE attribute "
		    "(KVM_CAP_MEMORY_ATTRIBUTES = 0x%llx system-wide) — "
		    "per-VM conversion cases skip",
		    (unsigned long long)p->mem_attrs_system);
	for (t = 0; t < PROBE_NR_VM_TYPES; t++) {
		ioctl_any |= p->vm_type[t].gmem_attr_ioctl == TRI_YES;
		private_any |= p->vm_type[t].gmem_private == TRI_YES;
	}
	if (ioctl_any && private_any && p->gmem_attr_cap_matches != 1)
		add(FAIL, "attrs.gmem_private", "KVM_SET_MEMORY_ATTRIBUTES2 "
		    "(request 0x%lx) takes PRIVATE, but %s of the known "
		    "KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES numbers reports it "
		    "exactly there — a new revision? (--json: "
		    "guest_memfd_attributes_uapi)", p->gmem_attr_request,
		    p->gmem_attr_cap_matches ? "more than one" : "none");
	else if (ioctl_any && private_any)
		add(PASS, "attrs.gmem_private", "KVM_SET_MEMORY_ATTRIBUTES2 on "
		    "guest_memfd (in-place conversion; request 0x%lx, "
		    "KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES = %d)",
		    p->gmem_attr_request, p->gmem_attr_cap);
	else if (ioctl_any)
		add(SKIP, "attrs.gmem_private", "KVM_SET_MEMORY_ATTRIBUTES2 "
		    "answers, but no VM type here has private memory");
	else
		add(SKIP, "attrs.gmem_private", "KVM_SET_MEMORY_ATTRIBUTES2 on "
		    "guest_memfd answers ENOTTY — kernel lacks the in-place "
		    "conversion series%s", inplace == TRI_NO ?
		    " or kvm.gmem_in_place_conversion=N" : "");
	if (!strcmp(p->conversion_layout, "none"))
		add(SKIP, "conv.layout", "no VM type with private memory: "
		    "conversions are exercised in `make vmcheck`");
	else
		add(PASS, "conv.layout", "%s", !strcmp(p->conversion_layout,
		    "in-place") ? "in-place: one guest_memfd holds shared and "
		    "private pages" : "per-VM attributes: guest_memfd for "
		    "private, a separate backing for shared");
	if (inplace == TRI_UNKNOWN)
		add(SKIP, "param.gmem_in_place_conversion", "kvm module has no "
		    "gmem_in_place_conversion parameter");
	else
		add(PASS, "param.gmem_in_place_conversion", "kvm.gmem_in_place"
		    "_conversion=%s", inplace == TRI_YES ? "Y" : "N");
}

/* MSR via /dev/cpu/0/msr (msr module); false when unreadable. */
static bool read_msr(uint32_t msr, uint64_t *val)
{
	int fd = open("/dev/cpu/0/msr", O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = pread(fd, val, sizeof(*val), msr) == sizeof(*val);
	close(fd);
	return ok;
}

static bool cpuinfo_flag(const char *flag)
{
	char line[8192], pat[64];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "re");

	if (!f)
		return false;
	snprintf(pat, sizeof(pat), " %s", flag);
	while (!found && fgets(line, sizeof(line), f)) {
		char *hit;

		if (strncmp(line, "flags", 5))
			continue;
		hit = strstr(line, pat);
		found = hit && (hit[strlen(pat)] == ' ' ||
				hit[strlen(pat)] == '\n');
	}
	fclose(f);
	return found;
}

static bool iommu_translating(const struct host_probe *p, const char **why)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *de;
	bool any = false;

	while (d && (de = readdir(d)))
		any |= de->d_name[0] != '.';
	if (d)
		closedir(d);
	if (!any) {
		*why = "no IOMMU registered (/sys/class/iommu empty): enable "
		       "it in firmware and boot with amd_iommu=on";
		return false;
	}
	if (strstr(p->cmdline, "iommu=pt")) {
		*why = "IOMMU in passthrough (iommu=pt on the cmdline): "
		       "SEV-SNP needs it translating; drop iommu=pt";
		return false;
	}
	return true;
}

/*
 * SEV-SNP qualification, snphost-ok style: CPU support and C-bit,
 * SYSCFG and RMP MSRs, kvm_amd parameters, /dev/sev, IOMMU, VM type.
 */
static void check_snp(const struct host_probe *p)
{
	uint32_t a, b, c, d;
	uint64_t syscfg, rmp_base, rmp_end;
	const char *why;

	if (strcmp(p->cpu_vendor, "AuthenticAMD")) {
		add(SKIP, "snp.cpu", "not an AMD CPU (%s)", p->cpu_vendor);
		return;
	}
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a < 0x8000001f) {
		add(FAIL, "snp.cpu", "CPUID 0x8000001F absent: no SME/SEV on "
		    "this CPU, or hidden by the hypervisor");
		return;
	}
	cpuid(0x8000001f, 0, &a, &b, &c, &d);
	add(a & (1 << 4) ? PASS : FAIL, "snp.cpu", "CPUID 0x8000001F EAX "
	    "0x%x: SEV %s, SEV-ES %s, SNP %s; C-bit %u%s", a,
	    a & 2 ? "yes" : "no", a & 8 ? "yes" : "no",
	    a & 16 ? "yes" : "no", snp_cbit_from_cpuid(b),
	    a & 16 ? "" : " — the CPU (or the hypervisor below) does not "
	    "offer SNP");
	if (!read_msr(0xc0010010, &syscfg)) {
		add(SKIP, "snp.syscfg", "cannot read MSRs: modprobe msr (and "
		    "run as root)");
	} else {
		add((syscfg & (1ULL << 23)) && (syscfg & (1ULL << 24)) ? PASS :
		    FAIL, "snp.syscfg", "SYSCFG 0x%llx: MemEncryptionModEn "
		    "(bit 23) %s, SecureNestedPagingEn (bit 24) %s%s",
		    (unsigned long long)syscfg,
		    syscfg & (1ULL << 23) ? "set" : "clear",
		    syscfg & (1ULL << 24) ? "set" : "clear",
		    (syscfg & (1ULL << 23)) && (syscfg & (1ULL << 24)) ? "" :
		    " — enable SME and SEV-SNP in the BIOS");
		if (read_msr(0xc0010132, &rmp_base) &&
		    read_msr(0xc0010133, &rmp_end) && rmp_end > rmp_base)
			add(PASS, "snp.rmp", "RMP 0x%llx-0x%llx",
			    (unsigned long long)rmp_base,
			    (unsigned long long)rmp_end);
		else
			add(FAIL, "snp.rmp", "RMP_BASE/RMP_END (MSR "
			    "0xC0010132/3) not set up — the BIOS reserves the "
			    "RMP when SNP is enabled");
	}
	if (!probe_param(p, "kvm_amd", "sev_snp"))
		add(SKIP, "snp.kvm_amd", "kvm_amd not loaded (KVM here: %s)",
		    p->kvm_module[0] ? p->kvm_module : "none");
	else
		add(param_is_y(p, "kvm_amd", "sev_snp") ? PASS : FAIL,
		    "snp.kvm_amd", "kvm_amd sev=%s sev_es=%s sev_snp=%s — KVM "
		    "clears them when the firmware or IOMMU is unusable "
		    "(dmesg | grep SEV)", probe_param(p, "kvm_amd", "sev"),
		    probe_param(p, "kvm_amd", "sev_es"),
		    probe_param(p, "kvm_amd", "sev_snp"));
	add(access("/dev/sev", R_OK | W_OK) ? FAIL : PASS, "snp.dev_sev",
	    "%s", access("/dev/sev", F_OK) ? "/dev/sev missing: load ccp "
	    "(CONFIG_CRYPTO_DEV_SP_PSP) with SNP firmware >= 1.51" :
	    "/dev/sev present");
	add(iommu_translating(p, &why) ? PASS : FAIL, "snp.iommu", "%s",
	    iommu_translating(p, &why) ? "IOMMU present and translating" :
	    why);
	add(p->vm_types_mask & (1 << KVM_X86_SNP_VM) ? PASS : SKIP,
	    "snp.vm_type", "KVM_X86_SNP_VM %s", p->vm_types_mask &
	    (1 << KVM_X86_SNP_VM) ? "offered" : "not offered by this KVM");
}

/* TDX qualification: CPU, KeyIDs, kvm_intel, TDX module, EPT/TDP MMU. */
static void check_tdx(const struct host_probe *p)
{
	char ver[64];
	uint64_t keyids;

	if (strcmp(p->cpu_vendor, "GenuineIntel")) {
		add(SKIP, "tdx.cpu", "not an Intel CPU (%s)", p->cpu_vendor);
		return;
	}
	add(cpuinfo_flag("tdx_host_platform") ? PASS : FAIL, "tdx.cpu",
	    "cpuinfo flag tdx_host_platform %s",
	    cpuinfo_flag("tdx_host_platform") ? "present" : "absent — "
	    "enable TDX in the BIOS, boot a kernel with "
	    "CONFIG_INTEL_TDX_HOST");
	if (!read_msr(0x87, &keyids))
		add(SKIP, "tdx.keyids", "cannot read MSR 0x87: modprobe msr");
	else
		add((keyids >> 32) >= 2 ? PASS : FAIL, "tdx.keyids",
		    "IA32_MKTME_KEYID_PARTITIONING: %u TDX KeyIDs%s",
		    (unsigned int)(keyids >> 32), (keyids >> 32) >= 2 ? "" :
		    " — assign TDX KeyIDs in the BIOS");
	if (!probe_param(p, "kvm_intel", "tdx"))
		add(SKIP, "tdx.kvm_intel", "kvm_intel not loaded (KVM here: "
		    "%s)", p->kvm_module[0] ? p->kvm_module : "none");
	else
		add(param_is_y(p, "kvm_intel", "tdx") ? PASS : FAIL,
		    "tdx.kvm_intel", "kvm_intel.tdx=%s (default N: "
		    "modprobe kvm_intel tdx=1)", probe_param(p, "kvm_intel",
							    "tdx"));
	if (read_file_str("/sys/devices/faux/tdx_host/version", ver,
			  sizeof(ver)))
		add(PASS, "tdx.module", "TDX module %s", ver);
	else
		add(FAIL, "tdx.module", "no TDX module version in /sys/devices/"
		    "faux/tdx_host — the module did not initialize (dmesg | "
		    "grep virt/tdx)");
	add(param_is_y(p, "kvm_intel", "ept") && param_is_y(p, "kvm",
	    "tdp_mmu") ? PASS : FAIL, "tdx.tdp", "TDX needs EPT and the TDP "
	    "MMU: kvm_intel.ept=%s kvm.tdp_mmu=%s",
	    probe_param(p, "kvm_intel", "ept") ?: "(absent)",
	    probe_param(p, "kvm", "tdp_mmu") ?: "(absent)");
	add(p->vm_types_mask & (1 << KVM_X86_TDX_VM) ? PASS : SKIP,
	    "tdx.vm_type", "KVM_X86_TDX_VM %s", p->vm_types_mask &
	    (1 << KVM_X86_TDX_VM) ? "offered" : "not offered by this KVM");
}

static void check_mm(const struct host_probe *p)
{
	add(p->hugetlb_2m.present ? PASS : SKIP, "mm.hugetlb_2m",
	    "pool %llu pages, %llu free%s",
	    (unsigned long long)p->hugetlb_2m.nr,
	    (unsigned long long)p->hugetlb_2m.free_pages,
	    p->hugetlb_2m.present ? "" : " — no 2M hugetlb support");
	add(p->hugetlb_1g.present ? PASS : SKIP, "mm.hugetlb_1g",
	    "pool %llu pages, %llu free%s",
	    (unsigned long long)p->hugetlb_1g.nr,
	    (unsigned long long)p->hugetlb_1g.free_pages,
	    p->hugetlb_1g.present ? "" : " — no 1G hugetlb support");
	add(p->thp_enabled[0] ? PASS : SKIP, "mm.thp", "enabled: %s",
	    p->thp_enabled[0] ? p->thp_enabled : "(no THP)");
	add(PASS, "mm.numa", "%u node(s) online (%s)", p->numa_nodes,
	    p->numa_online[0] ? p->numa_online : "0");
}

static void print_text(const struct host_probe *p)
{
	static const char *const v[] = { "PASS", "FAIL", "SKIP" };
	unsigned int i;

	printf("gmemsuite host report: %s, kernel %s, %s\n", p->hostname,
	       p->kernel_release, p->cpu_model);
	for (i = 0; i < nr_checks; i++)
		printf("%s  %-32s %s\n", v[checks[i].v], checks[i].name,
		       checks[i].text);
}

static void print_json(const struct host_probe *p)
{
	static const char *const v[] = { "PASS", "FAIL", "SKIP" };
	struct json j;
	unsigned int i;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_u64(&j, "schema", 1);
	probe_to_json(p, &j, "host");
	json_arr_begin(&j, "checks");
	for (i = 0; i < nr_checks; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "verdict", v[checks[i].v]);
		json_str(&j, "name", checks[i].name);
		json_str(&j, "detail", checks[i].text);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "require", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const struct host_probe *p;
	const char *require = NULL;
	bool json = false;
	unsigned int i;
	int opt;

	while ((opt = getopt_long(argc, argv, "jr:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'r':
			if (strcmp(optarg, "snp") && strcmp(optarg, "tdx")) {
				fprintf(stderr, "%s: --require snp or tdx, not "
					"'%s'\n", argv[0], optarg);
				return 2;
			}
			require = optarg;
			break;
		case 'h':
			printf("usage: %s [--json] [--require snp|tdx]\n",
			       argv[0]);
			return 0;
		default:
			fprintf(stderr, "usage: %s [--json] [--require "
				"snp|tdx]\n", argv[0]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0],
			argv[optind]);
		return 2;
	}
	p = probe_host();
	check_kvm(p);
	if (p->kvm_ok) {
		check_mmu(p);
		check_gmem(p);
	}
	check_mm(p);
	check_snp(p);
	check_tdx(p);
	if (json)
		print_json(p);
	else
		print_text(p);
	for (i = 0; i < nr_checks; i++) {
		bool vendor = !strncmp(checks[i].name, "snp.", 4) ||
			      !strncmp(checks[i].name, "tdx.", 4);

		bool required = require && !strncmp(checks[i].name, require, 3);

		/* Qualifying for a vendor: the wrong CPU fails too. */
		if (required && checks[i].v == SKIP &&
		    strstr(checks[i].name, ".cpu"))
			return 1;
		if (checks[i].v != FAIL)
			continue;
		if (!vendor || required)
			return 1;
	}
	return 0;
}
