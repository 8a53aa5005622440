// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compat.h"
#include "kvm_util.h"
#include "probe.h"
#include "test_util.h"
#include "vm_kind.h"

static const struct vm_kind_info kinds[NR_VM_KINDS] = {
	[VM_KIND_DEFAULT] = { "default", KVM_X86_DEFAULT_VM, COCO_NONE,
			      false, false },
	[VM_KIND_SW_PROTECTED] = { "sw_protected", KVM_X86_SW_PROTECTED_VM,
				   COCO_NONE, true, false },
	[VM_KIND_SNP] = { "snp", KVM_X86_SNP_VM, COCO_SNP, true, true },
	[VM_KIND_TDX] = { "tdx", KVM_X86_TDX_VM, COCO_TDX, true, true },
};

const struct vm_kind_info *vm_kind_info(enum vm_kind k)
{
	return &kinds[k < NR_VM_KINDS ? k : VM_KIND_DEFAULT];
}

bool vm_kind_from_name(const char *name, enum vm_kind *k)
{
	unsigned int i;

	for (i = 0; i < NR_VM_KINDS; i++) {
		if (!strcmp(name, kinds[i].name)) {
			*k = i;
			return true;
		}
	}
	return false;
}

enum vm_kind vm_kind_from_type(unsigned long type)
{
	unsigned int i;

	for (i = 0; i < NR_VM_KINDS; i++)
		if (kinds[i].type == type)
			return i;
	return NR_VM_KINDS;
}

void vm_kind_facts_read(struct vm_kind_facts *f)
{
	const struct host_probe *p = probe_host();
	int fd;

	memset(f, 0, sizeof(*f));
	f->kvm_ok = p->kvm_ok;
	f->kvm_error = p->kvm_error;
	f->vm_types_mask = p->vm_types_mask;
	f->kvm_module = p->kvm_module;
	f->tdp_mmu = probe_param(p, "kvm", "tdp_mmu");
	f->sev_snp = probe_param(p, "kvm_amd", "sev_snp");
	f->tdx = probe_param(p, "kvm_intel", "tdx");
	fd = open("/dev/sev", O_RDWR | O_CLOEXEC);
	f->dev_sev_errno = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
}

static bool param_off(const char *v)
{
	return v && (v[0] == 'N' || v[0] == 'n' || v[0] == '0');
}

/* The cause behind a VM type KVM does not offer, for an administrator. */
static const char *missing_cause(const struct vm_kind_facts *f,
				 enum vm_kind k, char *buf, size_t len)
{
	const char *mod = f->kvm_module && *f->kvm_module ?
			  f->kvm_module : "unknown";

	switch (k) {
	case VM_KIND_SW_PROTECTED:
		if (param_off(f->tdp_mmu))
			return "kvm.tdp_mmu = N: SW_PROTECTED VMs need the "
			       "TDP MMU";
		return "needs CONFIG_KVM_SW_PROTECTED_VM=y (make vmcheck "
		       "boots such a kernel)";
	case VM_KIND_SNP:
		if (strcmp(mod, "kvm_amd")) {
			snprintf(buf, len, "SEV-SNP needs kvm_amd on an AMD "
				 "host with SNP; this host's KVM module is %s",
				 mod);
			return buf;
		}
		if (!f->sev_snp)
			return "kvm_amd has no sev_snp parameter (kernel "
			       "older than 6.11 or CONFIG_KVM_AMD_SEV off)";
		if (param_off(f->sev_snp))
			return "kvm_amd.sev_snp = N (KVM clears it when SNP "
			       "is unusable: BIOS SNP/SMEE, RMP table, "
			       "firmware >= 1.51, IOMMU; see dmesg and make "
			       "report)";
		if (f->dev_sev_errno) {
			snprintf(buf, len, "/dev/sev: %s (ccp module, PSP "
				 "firmware)", errno_name(f->dev_sev_errno));
			return buf;
		}
		return "kvm_amd.sev_snp = Y but the type is not offered "
		       "(see dmesg)";
	case VM_KIND_TDX:
		if (strcmp(mod, "kvm_intel")) {
			snprintf(buf, len, "TDX needs kvm_intel on an Intel "
				 "host with TDX; this host's KVM module is %s",
				 mod);
			return buf;
		}
		if (!f->tdx)
			return "kvm_intel has no tdx parameter (kernel older "
			       "than 6.16 or CONFIG_KVM_INTEL_TDX off)";
		if (param_off(f->tdx))
			return "kvm_intel.tdx = N (load kvm_intel with tdx=1; "
			       "needs TDX enabled in BIOS and the TDX module "
			       "initialized, see make report)";
		return "kvm_intel.tdx = Y but the type is not offered "
		       "(see dmesg)";
	default:
		return "not offered";
	}
}

const char *vm_kind_unavailable(const struct vm_kind_facts *f, enum vm_kind k,
				char *buf, size_t len)
{
	const struct vm_kind_info *i = vm_kind_info(k);
	char cause[192];
	const char *c;

	if (!f->kvm_ok) {
		snprintf(buf, len, "%s", f->kvm_error && *f->kvm_error ?
			 f->kvm_error : "/dev/kvm unusable");
		return buf;
	}
	if (k == VM_KIND_DEFAULT)
		return NULL;
	if (f->vm_types_mask & (1ULL << i->type)) {
		/* Offered; SNP launch commands still need /dev/sev. */
		if (k == VM_KIND_SNP && f->dev_sev_errno) {
			snprintf(buf, len, "VM type %s is offered but /dev/sev "
				 "cannot be opened: %s (SNP launch commands "
				 "need its fd)", vm_type_name(i->type),
				 errno_name(f->dev_sev_errno));
			return buf;
		}
		return NULL;
	}
	c = missing_cause(f, k, cause, sizeof(cause));
	if (!f->vm_types_mask)
		snprintf(buf, len, "VM type %s (%lu) not offered: "
			 "KVM_CAP_VM_TYPES absent; %s", vm_type_name(i->type),
			 i->type, c);
	else
		snprintf(buf, len, "VM type %s (%lu) not offered "
			 "(KVM_CAP_VM_TYPES = 0x%llx): %s",
			 vm_type_name(i->type), i->type,
			 (unsigned long long)f->vm_types_mask, c);
	return buf;
}
