/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host offers, found once: kernel, CPU, KVM capabilities per VM
 * type, memory attributes per VM and per guest_memfd, module parameters,
 * huge pages, NUMA.  Tests skip by naming what this lacks; benchmarks
 * store it with their results.  Probing uses raw ioctls on its own fds and
 * never exits, so it also describes hosts where KVM is unusable.
 */
#ifndef GMEM_PROBE_H
#define GMEM_PROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "provenance.h"


#define PROBE_NR_VM_TYPES	6	/* DEFAULT .. TDX */
/* Candidate KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES numbers (lib/kvm/gmem.c). */
#define GMEM_ATTR_NR_CAP_REVS	5
#define PROBE_MAX_PARAMS	256

enum tristate { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

struct probe_vm_type {
	bool supported;		/* KVM_CAP_VM_TYPES bit, else creatable */
	bool created;		/* KVM_CREATE_VM succeeded for the probe */
	int create_errno;
	uint64_t mem_attrs;	/* VM-level KVM_CAP_MEMORY_ATTRIBUTES */
	uint64_t gmem_flags;	/* VM-level KVM_CAP_GUEST_MEMFD_FLAGS */
	/* In-place series, found by behaviour on a guest_memfd of the VM. */
	enum tristate gmem_attr_ioctl;	/* KVM_SET_MEMORY_ATTRIBUTES2 answers */
	enum tristate gmem_private;	/* ... and takes PRIVATE */
	/* Each candidate capability number's answer on this VM type. */
	uint64_t gmem_cap_answers[GMEM_ATTR_NR_CAP_REVS];
	/* KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES at the matched number. */
	uint64_t gmem_attrs_cap;
};

struct probe_param {
	char module[16];
	char name[48];
	char value[48];
};

struct hugetlb_pool {
	bool present;
	uint64_t nr, free_pages;
};

struct host_probe {
	char hostname[72];
	char kernel_release[128];
	char kernel_version[256];
	char cmdline[1024];
	char cpu_vendor[16];
	char cpu_model[128];
	unsigned int nr_cpus;
	uint64_t mem_total_kb;

	bool kvm_ok;
	char kvm_error[160];
	int api_version;
	char kvm_module[16];	/* kvm_intel, kvm_amd, kvm_pvm, ... */
	uint64_t vm_types_mask;	/* KVM_CAP_VM_TYPES (0: cap absent) */
	struct probe_vm_type vm_type[PROBE_NR_VM_TYPES];
	int cap_user_memory2, cap_guest_memfd, cap_memory_fault_info;
	int cap_exit_hypercall, cap_pre_fault_memory, cap_binary_stats;
	int cap_nr_memslots, cap_max_vcpus;
	uint64_t mem_attrs_system;	/* system-level KVM_CAP_MEMORY_ATTRIBUTES */
	/*
	 * In-place series: the KVM_SET_MEMORY_ATTRIBUTES2 request a
	 * guest_memfd answered (0: none), and the candidate capability
	 * number that reports PRIVATE exactly on the VM types whose
	 * guest_memfd takes PRIVATE (0: none matched or nothing to match;
	 * gmem_attr_cap_matches > 1: ambiguous).
	 */
	unsigned long gmem_attr_request;
	int gmem_attr_cap;
	unsigned int gmem_attr_cap_matches;
	uint64_t gmem_flags_system;	/* system-level KVM_CAP_GUEST_MEMFD_FLAGS */
	bool gbpages;			/* in KVM_GET_SUPPORTED_CPUID */
	unsigned int guest_phys_bits;
	uint64_t tsc_khz;		/* KVM_GET_TSC_KHZ of a probe vCPU */
	int tsc_errno;

	struct probe_param params[PROBE_MAX_PARAMS];
	unsigned int nr_params;

	/*
	 * The conversion layout tests and benchmarks use on this host:
	 * "in-place" (one guest_memfd holds both, shared pages mmap-able),
	 * "per-vm" (VM-fd attributes, guest_memfd private + separate shared
	 * backing) or "none" (no VM type with private memory).
	 */
	char conversion_layout[16];

	struct hugetlb_pool hugetlb_2m, hugetlb_1g;
	char thp_enabled[64], thp_defrag[64], thp_shmem[64];
	char numa_online[64];
	unsigned int numa_nodes;

	struct host_provenance prov;
};

/* Filled on first call; the same struct afterwards. */
const struct host_probe *probe_host(void);
/* A module parameter's value, or NULL (module, e.g. "kvm", "kvm_amd"). */
const char *probe_param(const struct host_probe *p, const char *module,
			const char *name);
/* kvm.gmem_in_place_conversion: TRI_UNKNOWN when the kernel lacks it. */
enum tristate probe_in_place_param(const struct host_probe *p);
/*
 * Is in-place conversion on (PRIVATE tracked per guest_memfd)?  From the
 * parameter where there is one, else from behaviour: the merged series
 * registers the parameter only with CONFIG_KVM_VM_MEMORY_ATTRIBUTES=y and
 * is always on without it, so no parameter + a guest_memfd that answers
 * KVM_SET_MEMORY_ATTRIBUTES2 = on; no parameter and no answer = a kernel
 * without the series (TRI_UNKNOWN where no guest_memfd could be made).
 */
enum tristate probe_in_place(const struct host_probe *p);
/* Which revision of the series the kernel's answers match, for reports. */
const char *probe_gmem_revision(const struct host_probe *p);

#endif /* GMEM_PROBE_H */
