// SPDX-License-Identifier: GPL-2.0
#include "kvm_ioctl.h"

kvm_ioctl_fn kvm_ioctl_hook;
