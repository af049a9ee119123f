// SPDX-License-Identifier: GPL-2.0
/*
 * net_small: guests/reflector for one NIC with 16-descriptor rings, so
 * that it fits in 1M of guest memory and a test can run a hundred of
 * them on one bridge (net_test's hundred_vms_on_one_bridge).  Behaves
 * as the reflector does; prints "reflector: 1 NICs up".
 */
#define RING		16
#define REFLECTOR_NICS	1
#include "../../guests/reflector.c"
