// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "compat.h"
#include "gmem.h"
#include "probe.h"
#include "processor.h"
#include "test_util.h"

static struct host_probe probe;
static bool probed;

static const char *const param_modules[] = {
	"kvm", "kvm_intel", "kvm_amd", "kvm_pvm",
};

static void probe_params(struct host_probe *p)
{
	char dir[128], path[400];
	unsigned int m;

	for (m = 0; m < ARRAY_SIZE(param_modules); m++) {
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "/sys/module/%s/parameters",
			 param_modules[m]);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d)) && p->nr_params < PROBE_MAX_PARAMS) {
			struct probe_param *pp = &p->params[p->nr_params];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			if (!read_file_str(path, pp->value, sizeof(pp->value)))
				continue;
			snprintf(pp->module, sizeof(pp->module), "%s",
				 param_modules[m]);
			snprintf(pp->name, sizeof(pp->name), "%.47s", de->d_name);
			p->nr_params++;
		}
		closedir(d);
	}
}

static bool module_present(const char *m)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "/sys/module/%s", m);
	return !access(dir, F_OK);
}

/*
 * The vendor module KVM runs on.  kvm_intel and kvm_amd can both be built
 * in (both show in /sys/module, e.g. the vmcheck kernel): the CPU vendor
 * decides; a loaded kvm_pvm wins over both.
 */
static void probe_kvm_module(struct host_probe *p)
{
	bool amd = !strcmp(p->cpu_vendor, "AuthenticAMD") ||
		   !strcmp(p->cpu_vendor, "HygonGenuine");
	const char *pick = NULL;

	if (module_present("kvm_pvm"))
		pick = "kvm_pvm";
	else if (amd && module_present("kvm_amd"))
		pick = "kvm_amd";
	else if (!amd && module_present("kvm_intel"))
		pick = "kvm_intel";
	else if (module_present("kvm_amd"))
		pick = "kvm_amd";
	else if (module_present("kvm_intel"))
		pick = "kvm_intel";
	snprintf(p->kvm_module, sizeof(p->kvm_module), "%s", pick ? pick : "");
}

const char *probe_param(const struct host_probe *p, const char *module,
			const char *name)
{
	unsigned int i;

	for (i = 0; i < p->nr_params; i++)
		if (!strcmp(p->params[i].module, module) &&
		    !strcmp(p->params[i].name, name))
			return p->params[i].value;
	return NULL;
}

enum tristate probe_in_place_param(const struct host_probe *p)
{
	const char *v = probe_param(p, "kvm", "gmem_in_place_conversion");

	if (!v)
		return TRI_UNKNOWN;
	return (v[0] == 'Y' || v[0] == 'y' || v[0] == '1') ? TRI_YES : TRI_NO;
}

static bool probe_gmem_ioctl_answers(const struct host_probe *p,
				     bool *any_gmem)
{
	unsigned int type;
	bool answers = false;

	*any_gmem = false;
	for (type = 0; type < PROBE_NR_VM_TYPES; type++) {
		enum tristate t = p->vm_type[type].gmem_attr_ioctl;

		*any_gmem |= t != TRI_UNKNOWN;
		answers |= t == TRI_YES;
	}
	return answers;
}

enum tristate probe_in_place(const struct host_probe *p)
{
	enum tristate param = probe_in_place_param(p);
	bool any_gmem, answers = probe_gmem_ioctl_answers(p, &any_gmem);

	if (param != TRI_UNKNOWN)
		return param;
	if (answers)
		return TRI_YES;
	return any_gmem ? TRI_NO : TRI_UNKNOWN;
}

const char *probe_gmem_revision(const struct host_probe *p)
{
	enum tristate param = probe_in_place_param(p);
	bool any_gmem, answers = probe_gmem_ioctl_answers(p, &any_gmem);
	unsigned int i;

	if (p->gmem_attr_cap_matches == 1)
		for (i = 0; i < GMEM_ATTR_NR_CAP_REVS; i++)
			if (gmem_attr_cap_revs[i].cap == p->gmem_attr_cap)
				return gmem_attr_cap_revs[i].revs;
	if (param == TRI_UNKNOWN && answers)
		return "unknown (no kvm.gmem_in_place_conversion, the "
		       "guest_memfd ioctl answers: merged-style, no "
		       "candidate capability agrees)";
	if (param == TRI_UNKNOWN)
		return any_gmem ? "none (kernel without the in-place series)" :
		       "unknown (no guest_memfd)";
	if (param == TRI_NO)
		return "v8 or merged (kvm.gmem_in_place_conversion=N: no "
		       "capability tells them apart)";
	return "unknown (kvm.gmem_in_place_conversion=Y, no candidate "
	       "capability agrees)";
}

static void probe_cpu(struct host_probe *p)
{
	uint32_t a, b, c, d, regs[12];
	char line[256];
	FILE *f;

	cpuid(0, 0, &a, &b, &c, &d);
	memcpy(p->cpu_vendor, &b, 4);
	memcpy(p->cpu_vendor + 4, &d, 4);
	memcpy(p->cpu_vendor + 8, &c, 4);
	cpuid(0x80000000, 0, &a, &b, &c, &d);
	if (a >= 0x80000004) {
		for (a = 0; a < 3; a++)
			cpuid(0x80000002 + a, 0, &regs[4 * a], &regs[4 * a + 1],
			      &regs[4 * a + 2], &regs[4 * a + 3]);
		memcpy(p->cpu_model, regs, 48);
		p->cpu_model[48] = '\0';
	}
	p->nr_cpus = sysconf(_SC_NPROCESSORS_ONLN);
	f = fopen("/proc/meminfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemTotal: %lu kB",
				   (unsigned long *)&p->mem_total_kb) == 1)
				break;
		fclose(f);
	}
}

static void probe_mm(struct host_probe *p)
{
	static const char *const hp = "/sys/kernel/mm/hugepages";
	static const char *const thp = "/sys/kernel/mm/transparent_hugepage";
	struct hugetlb_pool *pools[] = { &p->hugetlb_2m, &p->hugetlb_1g };
	const unsigned int kb[] = { 2048, 1048576 };
	char path[160];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/hugepages-%ukB/nr_hugepages",
			 hp, kb[i]);
		pools[i]->present = read_file_u64(path, &pools[i]->nr);
		snprintf(path, sizeof(path), "%s/hugepages-%ukB/free_hugepages",
			 hp, kb[i]);
		read_file_u64(path, &pools[i]->free_pages);
	}
	snprintf(path, sizeof(path), "%s/enabled", thp);
	read_file_str(path, p->thp_enabled, sizeof(p->thp_enabled));
	snprintf(path, sizeof(path), "%s/defrag", thp);
	read_file_str(path, p->thp_defrag, sizeof(p->thp_defrag));
	snprintf(path, sizeof(path), "%s/shmem_enabled", thp);
	read_file_str(path, p->thp_shmem, sizeof(p->thp_shmem));
	if (read_file_str("/sys/devices/system/node/online", p->numa_online,
			  sizeof(p->numa_online))) {
		unsigned int lo, hi;
		char *s = p->numa_online;

		/* "0", "0-1", "0,2-3" */
		while (*s) {
			if (sscanf(s, "%u-%u", &lo, &hi) == 2)
				p->numa_nodes += hi - lo + 1;
			else if (sscanf(s, "%u", &lo) == 1)
				p->numa_nodes++;
			s = strchr(s, ',');
			if (!s)
				break;
			s++;
		}
	} else {
		p->numa_nodes = 1;
	}
}

static int check(int fd, long cap)
{
	int r = ioctl(fd, KVM_CHECK_EXTENSION, cap);

	return r < 0 ? 0 : r;
}

/* The in-place series' guest_memfd ioctl, found by behaviour. */
static void probe_gmem_ioctl(int vm_fd, struct probe_vm_type *t)
{
	struct kvm_create_guest_memfd g = { .size = SZ_2M };
	int fd = ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &g);
	unsigned int i;

	t->gmem_attr_ioctl = TRI_UNKNOWN;
	for (i = 0; i < GMEM_ATTR_NR_CAP_REVS; i++)
		t->gmem_cap_answers[i] = check(vm_fd,
					       gmem_attr_cap_revs[i].cap);
	if (fd < 0)
		return;
	t->gmem_attr_ioctl = gmem_fd_attributes_ioctl(fd);
	close(fd);
	t->gmem_private = gmem_private_on_vm_fd(vm_fd);
}

/* Does candidate i report PRIVATE exactly where the ioctl takes it? */
static bool gmem_cap_candidate_agrees(const struct host_probe *p,
				      unsigned int i)
{
	bool distinguishes = false;
	unsigned int type;

	for (type = 0; type < PROBE_NR_VM_TYPES; type++) {
		const struct probe_vm_type *t = &p->vm_type[type];
		uint64_t want;

		if (!t->created || t->gmem_private == TRI_UNKNOWN)
			continue;
		want = t->gmem_private == TRI_YES ?
		       KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
		if (t->gmem_cap_answers[i] != want)
			return false;
		distinguishes |= want != 0;
	}
	return distinguishes;
}

/* The series' capability number, found, never assumed. */
static void probe_gmem_cap(struct host_probe *p)
{
	unsigned int i, type;

	p->gmem_attr_request = gmem_attr_request();
	for (i = 0; i < GMEM_ATTR_NR_CAP_REVS; i++) {
		if (!gmem_cap_candidate_agrees(p, i))
			continue;
		if (!p->gmem_attr_cap_matches++)
			p->gmem_attr_cap = gmem_attr_cap_revs[i].cap;
	}
	if (p->gmem_attr_cap_matches != 1)
		return;
	for (i = 0; gmem_attr_cap_revs[i].cap != p->gmem_attr_cap; i++)
		;
	for (type = 0; type < PROBE_NR_VM_TYPES; type++)
		p->vm_type[type].gmem_attrs_cap =
			p->vm_type[type].gmem_cap_answers[i];
}

static void probe_vm_types(struct host_probe *p, int kvm_fd)
{
	unsigned int type;

	p->vm_types_mask = check(kvm_fd, KVM_CAP_VM_TYPES);
	for (type = 0; type < PROBE_NR_VM_TYPES; type++) {
		struct probe_vm_type *t = &p->vm_type[type];
		int vm_fd;

		t->supported = type == 0 || (p->vm_types_mask & (1ULL << type));
		t->gmem_attr_ioctl = TRI_UNKNOWN;
		t->gmem_private = TRI_UNKNOWN;
		/* SNP/TDX VMs need launch setup; creating one is enough. */
		vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, (unsigned long)type);
		if (vm_fd < 0) {
			t->create_errno = errno;
			continue;
		}
		t->created = true;
		t->mem_attrs = check(vm_fd, KVM_CAP_MEMORY_ATTRIBUTES);
		t->gmem_flags = check(vm_fd, KVM_CAP_GUEST_MEMFD_FLAGS);
		probe_gmem_ioctl(vm_fd, t);
		close(vm_fd);
	}
	probe_gmem_cap(p);
}

static void probe_cpuid_and_tsc(struct host_probe *p, int kvm_fd)
{
	struct kvm_cpuid2 *cpuid;
	int nent = 256, vm_fd, vcpu_fd, r;
	unsigned int i;

	cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return;
	cpuid->nent = nent;
	if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid)) {
		for (i = 0; i < cpuid->nent; i++) {
			struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

			if (e->function == 0x80000001)
				p->gbpages = e->edx &
					     CPUID_8000_0001_EDX_GBPAGES;
			if (e->function == 0x80000008)
				p->guest_phys_bits = e->eax & 0xff;
		}
	}
	free(cpuid);

	p->tsc_errno = ENODEV;
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0UL);
	if (vm_fd < 0)
		return;
	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0UL);
	if (vcpu_fd >= 0) {
		r = ioctl(vcpu_fd, KVM_GET_TSC_KHZ, NULL);
		p->tsc_errno = r > 0 ? 0 : errno;
		p->tsc_khz = r > 0 ? r : 0;
		close(vcpu_fd);
	}
	close(vm_fd);
}

static void probe_layout(struct host_probe *p)
{
	const uint64_t inplace_flags = GUEST_MEMFD_FLAG_MMAP |
				       GUEST_MEMFD_FLAG_INIT_SHARED;
	const char *layout = "none";
	unsigned int t;

	/* Types other than DEFAULT have private memory. */
	for (t = KVM_X86_SW_PROTECTED_VM; t < PROBE_NR_VM_TYPES; t++) {
		const struct probe_vm_type *v = &p->vm_type[t];

		if (!v->created)
			continue;
		if (v->gmem_attr_ioctl == TRI_YES &&
		    (v->gmem_flags & inplace_flags) == inplace_flags) {
			layout = "in-place";
			break;
		}
		if (v->mem_attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE)
			layout = "per-vm";
	}
	snprintf(p->conversion_layout, sizeof(p->conversion_layout), "%s",
		 layout);
}

static void probe_kvm(struct host_probe *p)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		snprintf(p->kvm_error, sizeof(p->kvm_error),
			 "cannot open /dev/kvm: %s", strerror(errno));
		return;
	}
	p->api_version = ioctl(fd, KVM_GET_API_VERSION, NULL);
	if (p->api_version != KVM_API_VERSION) {
		snprintf(p->kvm_error, sizeof(p->kvm_error),
			 "KVM API version %d, expected %d", p->api_version,
			 KVM_API_VERSION);
		close(fd);
		return;
	}
	p->kvm_ok = true;
	p->cap_user_memory2 = check(fd, KVM_CAP_USER_MEMORY2);
	p->cap_guest_memfd = check(fd, KVM_CAP_GUEST_MEMFD);
	p->cap_memory_fault_info = check(fd, KVM_CAP_MEMORY_FAULT_INFO);
	p->cap_exit_hypercall = check(fd, KVM_CAP_EXIT_HYPERCALL);
	p->cap_pre_fault_memory = check(fd, KVM_CAP_PRE_FAULT_MEMORY);
	p->cap_binary_stats = check(fd, KVM_CAP_BINARY_STATS_FD);
	p->cap_nr_memslots = check(fd, KVM_CAP_NR_MEMSLOTS);
	p->cap_max_vcpus = check(fd, KVM_CAP_MAX_VCPUS);
	p->mem_attrs_system = check(fd, KVM_CAP_MEMORY_ATTRIBUTES);
	p->gmem_flags_system = check(fd, KVM_CAP_GUEST_MEMFD_FLAGS);
	probe_vm_types(p, fd);
	probe_layout(p);
	probe_cpuid_and_tsc(p, fd);
	close(fd);
}

const struct host_probe *probe_host(void)
{
	struct utsname u;

	if (probed)
		return &probe;
	uname(&u);
	snprintf(probe.hostname, sizeof(probe.hostname), "%s", u.nodename);
	snprintf(probe.kernel_release, sizeof(probe.kernel_release), "%s",
		 u.release);
	snprintf(probe.kernel_version, sizeof(probe.kernel_version), "%s",
		 u.version);
	read_file_str("/proc/cmdline", probe.cmdline, sizeof(probe.cmdline));
	probe_cpu(&probe);
	probe_mm(&probe);
	provenance_read(&probe.prov, probe.kernel_release);
	probe_params(&probe);
	probe_kvm_module(&probe);
	probe_kvm(&probe);
	probed = true;
	return &probe;
}
