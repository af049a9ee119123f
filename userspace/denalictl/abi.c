// SPDX-License-Identifier: GPL-2.0
/* ABI version decisions of denalictl; see abi.h. */
#include <string.h>

#include "abi.h"

bool denali_abi_compatible(unsigned int tool_major, unsigned int tool_minor,
			   unsigned int mod_major, unsigned int mod_minor)
{
	return tool_major == mod_major && mod_minor >= tool_minor;
}

void denali_module_version_str(const struct denali_version *v, char *buf,
			       unsigned int len)
{
	size_t n = strnlen(v->module_version, sizeof(v->module_version));

	if (!len)
		return;
	if (n >= len)
		n = len - 1;
	memcpy(buf, v->module_version, n);
	buf[n] = '\0';
}
