// SPDX-License-Identifier: GPL-2.0
#include "kvm_ioctl.h"

kvm_ioctl_fn kvm_ioctl_hook;
kvm_open_fn kvm_open_hook;
host_cpuid_fn host_cpuid_hook;
