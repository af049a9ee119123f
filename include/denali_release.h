/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The release of Denali for Linux, the one version string of denali.ko
 * (MODULE_VERSION, and module_version in DENALI_GET_VERSION) and of
 * denalictl (`denalictl version`), so the two cannot drift apart.
 *
 * Its minor number moves in step with DENALI_ABI_MINOR (docs/ABI.md);
 * the last number counts releases that change no ABI.  For people only:
 * programs test the ABI version, never this.
 */
#ifndef DENALI_RELEASE_H
#define DENALI_RELEASE_H

#define DENALI_RELEASE "0.7.0"

#endif /* DENALI_RELEASE_H */
