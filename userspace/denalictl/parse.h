/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What denalictl accepts on its command line, decided without any I/O so
 * that the host-side unit tests (selftests/host/denalictl_test.c) can
 * check every rule without a kernel.
 */
#ifndef DENALICTL_PARSE_H
#define DENALICTL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* The largest size parse_size() accepts: 2^63 bytes. */
#define DENALICTL_SIZE_MAX (1ull << 63)

/*
 * parse_size() - read a size such as "16M", "1g" or "1048576"
 * @s:   decimal digits, optionally followed by one of K, M or G (or k, m,
 *       g) meaning 2^10, 2^20 or 2^30; nothing before, between or after
 *       (no sign, no spaces, no "B" or "iB").  Leading zeros are decimal.
 * @out: set to the size in bytes on success, untouched on failure.
 *
 * Returns 0; -EINVAL if @s is NULL, empty, malformed or zero; -ERANGE if
 * the size is above DENALICTL_SIZE_MAX.
 */
int parse_size(const char *s, unsigned long long *out);

/*
 * valid_vm_name() - whether @name may name a VM
 *
 * True for 1 to DENALI_NAME_MAX - 1 (31) characters, each a letter,
 * digit, '.', '_' or '-', except "." and ".." (names may become path
 * components in later tools).  False for NULL.
 */
bool valid_vm_name(const char *name);

/*
 * pack_boot_args() - boot arguments laid out as DENALI_CREATE_VM takes them
 * @argc, @argv: the arguments, in order; empty strings are arguments too.
 * @buf:  where they go: each string with its NUL, back to back.
 * @size: room at @buf (DENALI_ARGS_MAX for the module's limit).
 * @len:  set to the bytes they take, NULs included, whether or not
 *        they fit, so that an error can say by how much they do not;
 *        0 for no arguments.
 *
 * Returns 0, or -E2BIG (@buf then untouched) when they take more than
 * @size bytes.
 */
int pack_boot_args(int argc, char * const *argv, char *buf, size_t size,
		   size_t *len);

/*
 * The byte that ends an interactive `console -f` session: Ctrl-], as in
 * telnet and virsh console, because no shell or editor needs it.
 */
#define CONSOLE_ESCAPE	0x1d

/*
 * console_escape_at() - where terminal input asks to detach
 *
 * Returns the offset of the first CONSOLE_ESCAPE in the @len bytes at
 * @buf, or @len when there is none: the bytes before it are the guest's,
 * the escape and everything after it are not.
 */
size_t console_escape_at(const char *buf, size_t len);

/*
 * parse_user_irqs() - `irq` operands as DENALI_RAISE_IRQ bits
 * @argc, @argv: line numbers, each 0 to 15 in decimal ("03" is 3); the
 *               same line may be given twice.
 * @bits:  set to the DENALI_IRQ_USER() bit of every line on success,
 *         untouched on failure.
 * @bad:   on failure, set to the index of the first word that is not a
 *         line number.
 *
 * Returns 0; -EINVAL for a word that is not a line number, or for no
 * words at all (@bad then 0).
 */
int parse_user_irqs(int argc, char * const *argv, unsigned long long *bits,
		    int *bad);

/*
 * parse_nic_bus_info() - which VM's NIC an interface is, from ethtool -i
 * @bus: the bus_info text the module gives each NIC: "vm<ID>/nic<K>",
 *       both decimal without leading zeros or signs, nothing after.
 * @vm_id, @index: set on success, untouched on failure.
 *
 * Returns 0, or -EINVAL for any other text (another driver's, or one
 * this tool cannot read), so that no interface is taken for a VM's by
 * mistake.
 */
int parse_nic_bus_info(const char *bus, unsigned int *vm_id,
		       unsigned int *index);

/*
 * struct nic_spec - one `create --nic` option
 * @bridge: the Linux bridge to attach the interface to; "" for none.
 * @ifname: the interface's name; "" for the module's default.
 * @mac:    the guest's MAC address, when @has_mac.
 * @sw:     the module's switch the NIC is a port of; "" for a NIC with
 *          an interface of its own (ABI 0.7).
 */
struct nic_spec {
	char bridge[16];
	char ifname[16];
	char sw[16];
	unsigned char mac[6];
	bool has_mac;
};

/*
 * parse_nic_spec() - a `--nic` value
 * @spec: comma-separated bridge=NAME, ifname=NAME, mac=XX:XX:XX:XX:XX:XX,
 *        switch=NAME, each at most once, switch= with neither bridge=
 *        nor ifname=; "default" alone for a NIC with none of them.
 * @out:  filled on success.
 * @err:  on failure, a sentence saying what is wrong (@errlen bytes).
 *
 * Returns 0 or -EINVAL.  Names are checked for length and for the
 * characters no interface name may hold ('/', ':', white space); the MAC
 * must be a unicast address.
 */
int parse_nic_spec(const char *spec, struct nic_spec *out, char *err,
		   size_t errlen);

#endif /* DENALICTL_PARSE_H */
