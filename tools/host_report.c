// SPDX-License-Identifier: GPL-2.0
/*
 * host_report: what this host offers gmemsuite, one check a line, in the
 * manner of `snphost ok`:  PASS|FAIL|SKIP  name — detail or hint.
 *   FAIL: something the suite needs is broken or misconfigured.
 *   SKIP: a feature is absent; the tests that need it will skip.
 * --json prints the full probe and the checks.  Exit 1 if a check FAILs.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "compat.h"
#include "json.h"
#include "probe.h"
#include "test_util.h"

enum verdict { PASS, FAIL, SKIP };

struct check {
	enum verdict v;
	char name[48];
	char text[256];
};

static struct check checks[64];
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
	bool ioctl_any = false;
	unsigned int t;

	if (!p->cap_guest_memfd) {
		add(FAIL, "gmem.create", "KVM_CAP_GUEST_MEMFD absent — kernel "
		    "older than 6.8");
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
	for (t = 0; t < PROBE_NR_VM_TYPES; t++)
		ioctl_any |= p->vm_type[t].gmem_attr_ioctl == TRI_YES;
	if (ioctl_any)
		add(PASS, "attrs.gmem_private", "KVM_SET_MEMORY_ATTRIBUTES2 on "
		    "guest_memfd (in-place conversion)");
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const struct host_probe *p;
	bool json = false;
	unsigned int i;
	int opt;

	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			printf("usage: %s [--json]\n", argv[0]);
			return 0;
		default:
			fprintf(stderr, "usage: %s [--json]\n", argv[0]);
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
	if (json)
		print_json(p);
	else
		print_text(p);
	for (i = 0; i < nr_checks; i++)
		if (checks[i].v == FAIL)
			return 1;
	return 0;
}
