/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lwIP's compiler and platform glue for Denali guests: musl supplies the
 * standard headers (stdint, inttypes, limits, errno), x86-64 is little
 * endian, and a failed lwIP assertion ends the VM with a report on the
 * console instead of carrying on with a broken stack.
 */
#ifndef ILWACO_LWIP_ARCH_CC_H
#define ILWACO_LWIP_ARCH_CC_H

#include <stdio.h>
#include <stdlib.h>

#define BYTE_ORDER		LITTLE_ENDIAN
#define LWIP_TIMEVAL_PRIVATE	0	/* musl's struct timeval */

void ilwaco_lwip_assert(const char *msg, const char *file, int line);

#define LWIP_PLATFORM_DIAG(x)	((void)printf x)
#define LWIP_PLATFORM_ASSERT(x)	ilwaco_lwip_assert(x, __FILE__, __LINE__)

#endif /* ILWACO_LWIP_ARCH_CC_H */
