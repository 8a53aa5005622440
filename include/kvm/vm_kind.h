/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM types as a test or benchmark asks for them (--vm-type), and why one
 * cannot run on this host.
 *
 *   default       KVM_X86_DEFAULT_VM: no private memory
 *   sw_protected  KVM_X86_SW_PROTECTED_VM: private memory, no encryption
 *   snp           KVM_X86_SNP_VM: SEV-SNP launch, C-bit, GHCB channel
 *   tdx           KVM_X86_TDX_VM: TDX launch, shared bit, TDVMCALL channel
 *
 * What differs between them lives in a backend (lib/kvm/coco_vm.c): launch
 * sequence, page-table encoding, how memory is populated, how a vCPU
 * starts, the guest->host channel and how the guest asks for a
 * conversion.  Everything else (memslots, the conversion handler, ucall
 * decoding) is shared, so vmcheck runs it for real with sw_protected.
 */
#ifndef GMEM_VM_KIND_H
#define GMEM_VM_KIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coco.h"

enum vm_kind {
	VM_KIND_DEFAULT,
	VM_KIND_SW_PROTECTED,
	VM_KIND_SNP,
	VM_KIND_TDX,
	NR_VM_KINDS
};

struct vm_kind_info {
	const char *name;	/* as --vm-type spells it */
	unsigned long type;	/* KVM_CREATE_VM argument */
	enum coco_kind coco;
	bool private_mem;	/* offers private memory */
	bool protected_state;	/* registers unreadable once launched */
};

const struct vm_kind_info *vm_kind_info(enum vm_kind k);
bool vm_kind_from_name(const char *name, enum vm_kind *k);
/* VM_KIND_DEFAULT for KVM_X86_DEFAULT_VM, ...; NR_VM_KINDS if unknown. */
enum vm_kind vm_kind_from_type(unsigned long type);
/* "default|sw_protected|snp|tdx", for usage texts. */
#define VM_KIND_NAMES	"default|sw_protected|snp|tdx"

/*
 * What the availability of a kind depends on, read from the host
 * (vm_kind_facts_read) or written by hand in unit tests.
 */
struct vm_kind_facts {
	bool kvm_ok;
	const char *kvm_error;		/* why /dev/kvm is unusable */
	uint64_t vm_types_mask;		/* KVM_CAP_VM_TYPES; 0 = absent */
	const char *kvm_module;		/* kvm_intel, kvm_amd, kvm_pvm... */
	/* Module parameter values, NULL when the parameter is absent. */
	const char *tdp_mmu;		/* kvm.tdp_mmu */
	const char *sev_snp;		/* kvm_amd.sev_snp */
	const char *tdx;		/* kvm_intel.tdx */
	int dev_sev_errno;		/* open("/dev/sev"): 0 or errno */
};

void vm_kind_facts_read(struct vm_kind_facts *f);
/*
 * NULL when kind k can run, else the reason (written to buf): the VM
 * type missing from KVM_CAP_VM_TYPES with the cause a host administrator
 * can act on (module, parameter, /dev/sev), first cause first.
 */
const char *vm_kind_unavailable(const struct vm_kind_facts *f, enum vm_kind k,
				char *buf, size_t len);

#endif /* GMEM_VM_KIND_H */
