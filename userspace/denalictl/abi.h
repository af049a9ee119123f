/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What denalictl decides about ABI versions, kept apart from the I/O so
 * that the host-side unit tests can check it without a kernel.
 */
#ifndef DENALICTL_ABI_H
#define DENALICTL_ABI_H

#include <stdbool.h>

#include "uapi/denali.h"

/*
 * True when a tool built for ABI @tool_major.@tool_minor can drive a module
 * reporting @mod_major.@mod_minor: same major, and the module at least as
 * new as the tool (minor versions only add).
 */
bool denali_abi_compatible(unsigned int tool_major, unsigned int tool_minor,
			   unsigned int mod_major, unsigned int mod_minor);

/*
 * Copy the module's version string out of @v into @buf (of @len bytes),
 * always NUL-terminated even if the module sent 32 bytes of text.
 */
void denali_module_version_str(const struct denali_version *v, char *buf,
			       unsigned int len);

#endif /* DENALICTL_ABI_H */
