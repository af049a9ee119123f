// SPDX-License-Identifier: GPL-2.0
/*
 * denalictl list and destroy, and what every verb that names a VM needs:
 * the listing (DENALI_LIST_VMS), and turning "ID|NAME" into one VM.
 *
 * The module names VMs only by id; names are this tool's convenience.
 * So a name is looked up in a fresh listing just before it is used, and
 * anything that could mean more than one VM is refused (lookup.c): the
 * cost of a wrong guess is someone else's VM destroyed.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "denalictl.h"
#include "format.h"
#include "json.h"
#include "lookup.h"
#include "parse.h"

/* Room for this many VMs in the first DENALI_LIST_VMS call. */
#define LIST_FIRST_CAPACITY	64
/* Extra room when growing, for VMs made between two calls. */
#define LIST_SLACK		16

/*
 * The last listing's shared image pages, each counted once however many
 * VMs map it (ABI 0.7; 0 from an older module, which shares none).
 */
static unsigned long long listed_shared_pages;

int list_vms(int ctlfd, struct denali_vm_info **vms, size_t *n)
{
	struct denali_list_vms req;
	struct denali_vm_info *buf = NULL, *bigger;
	unsigned int capacity = LIST_FIRST_CAPACITY;
	int err;

	for (;;) {
		bigger = realloc(buf, (size_t)capacity * sizeof(*buf));
		if (!bigger) {
			free(buf);
			return -ENOMEM;
		}
		buf = bigger;
		memset(&req, 0, sizeof(req));
		req.capacity = capacity;
		req.vms = (uintptr_t)buf;
		if (ioctl(ctlfd, DENALI_LIST_VMS, &req)) {
			err = -errno;
			free(buf);
			return err;
		}
		/*
		 * All of them, or as many as the module will give in one
		 * call (it may write fewer than there was room for).
		 */
		if (req.total <= req.count || req.count < capacity)
			break;
		if (req.total > 0xffffffffu - LIST_SLACK) {
			free(buf);
			return -EOVERFLOW;
		}
		capacity = req.total + LIST_SLACK;
	}
	*vms = buf;
	*n = req.count;
	listed_shared_pages = req.shared_pages;
	return 0;
}

int fetch_vms(int ctlfd, struct denali_vm_info **vms, size_t *n)
{
	int err = list_vms(ctlfd, vms, n);

	if (err)
		explain_ioctl_error(ctlfd, "DENALI_LIST_VMS", -err);
	return err ? -1 : 0;
}

char *vm_label(const struct denali_vm_info *vm, char *buf, size_t len)
{
	denali_copy_printable(buf, len, vm->name, sizeof(vm->name));
	return buf;
}

/* "3, 5, 9": the ids of the VMs named @arg, for an ambiguity message. */
static void ids_named(const struct denali_vm_info *vms, size_t n,
		      const char *arg, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++) {
		if (strncmp(vms[i].name, arg, sizeof(vms[i].name)) ||
		    strlen(arg) >= sizeof(vms[i].name))
			continue;
		used += snprintf(buf + used, len - used, "%s%u",
				 used ? ", " : "", vms[i].id);
	}
}

int check_vm_arg(const char *arg)
{
	unsigned int id;

	if (denali_parse_vm_id(arg, &id) || valid_vm_name(arg))
		return 0;
	fprintf(stderr, "%s: '%s' is neither a VM id nor a VM name\n",
		progname, arg);
	return EXIT_USAGE;
}

int find_vm(int ctlfd, const char *arg, struct denali_vm_info *vm)
{
	struct denali_vm_info *vms;
	unsigned int id;
	char ids[128];
	size_t n;
	int i;

	if (check_vm_arg(arg))
		return EXIT_USAGE;
	if (fetch_vms(ctlfd, &vms, &n))
		return EXIT_FAILED;
	i = denali_find_vm(vms, n, arg);
	if (i >= 0) {
		*vm = vms[i];
		free(vms);
		return 0;
	}
	if (i == -ENOTUNIQ) {
		ids_named(vms, n, arg, ids, sizeof(ids));
		fprintf(stderr,
			"%s: more than one VM is named '%s' (ids %s); give the id\n",
			progname, arg, ids);
	} else if (denali_parse_vm_id(arg, &id)) {
		fprintf(stderr, "%s: no VM %s\n", progname, arg);
	} else {
		fprintf(stderr, "%s: no VM named '%s'\n", progname, arg);
	}
	free(vms);
	return EXIT_FAILED;
}

int open_vm(int ctlfd, const struct denali_vm_info *vm)
{
	struct denali_vm_ref ref;
	char name[DENALI_NAME_MAX];
	int fd;

	memset(&ref, 0, sizeof(ref));
	ref.id = vm->id;
	fd = ioctl(ctlfd, DENALI_OPEN_VM, &ref);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		fprintf(stderr, "%s: no VM %u (VM %s is gone)\n", progname,
			vm->id, vm_label(vm, name, sizeof(name)));
	else
		explain_ioctl_error(ctlfd, "DENALI_OPEN_VM", errno);
	return -1;
}

/*
 * ---------------------------------------------------------------------
 * list
 * ---------------------------------------------------------------------
 */

/* The owner's user name, or NULL if the user database has none. */
static const char *owner_name(unsigned int uid)
{
	static unsigned int cached_uid;
	static char cached[64];
	static bool have;
	struct passwd *pw;

	if (have && cached_uid == uid)
		return cached[0] ? cached : NULL;
	pw = getpwuid(uid);
	snprintf(cached, sizeof(cached), "%s", pw ? pw->pw_name : "");
	cached_uid = uid;
	have = true;
	return cached[0] ? cached : NULL;
}

/* One row of the table, as text. */
struct row {
	char id[12];
	char name[DENALI_NAME_MAX];
	const char *state;
	char mem[DENALI_SIZE_TEXT];
	char rss[DENALI_SIZE_TEXT];	/* resident guest pages */
	char shared[DENALI_SIZE_TEXT];	/* shared image pages mapped */
	char host[DENALI_SIZE_TEXT];	/* host kernel memory */
	char owner[64];
	char pid[12];
	char nics[128];
	char status[DENALI_STATUS_TEXT];
};

enum {
	COL_ID, COL_NAME, COL_STATE, COL_MEM, COL_RSS, COL_SHARED, COL_HOST,
	COL_OWNER, COL_PID, COL_NICS, COLS
};

/* The VMs' NICs, for the NICS column; NULL and "?" if unknown. */
static const struct denali_nic_view *list_nics;
static size_t list_nic_count;
static bool list_nics_unknown;

static void fill_row(struct row *r, const struct denali_vm_info *vm)
{
	const char *owner = owner_name(vm->owner_uid);

	snprintf(r->id, sizeof(r->id), "%u", vm->id);
	vm_label(vm, r->name, sizeof(r->name));
	r->state = denali_state_name(vm->state);
	denali_format_size(vm->mem_size, r->mem, sizeof(r->mem));
	denali_format_size(vm->resident_pages * DENALI_GUEST_PAGE_SIZE, r->rss,
			   sizeof(r->rss));
	denali_format_size(vm->shared_pages * DENALI_GUEST_PAGE_SIZE,
			   r->shared, sizeof(r->shared));
	denali_format_size(vm->host_bytes, r->host, sizeof(r->host));
	if (owner)
		denali_copy_printable(r->owner, sizeof(r->owner), owner,
				      strlen(owner));
	else
		snprintf(r->owner, sizeof(r->owner), "%u", vm->owner_uid);
	if (vm->runner_pid > 0)
		snprintf(r->pid, sizeof(r->pid), "%d", vm->runner_pid);
	else
		snprintf(r->pid, sizeof(r->pid), "-");
	if (list_nics_unknown)
		snprintf(r->nics, sizeof(r->nics), "?");
	else
		denali_format_nics(list_nics, list_nic_count, vm->id, r->nics,
				   sizeof(r->nics));
	denali_format_status(vm, r->status, sizeof(r->status));
}

/*
 * What the VMs listed cost together: their resident guest pages, the
 * shared image pages they map (each page once, however many VMs map it:
 * the module counts them) and the host kernel memory they hold (each
 * VM's own share, no runner).
 */
static void print_totals(const struct denali_vm_info *vms, size_t n)
{
	unsigned long long rss = 0, host = 0;
	char rss_text[DENALI_SIZE_TEXT], host_text[DENALI_SIZE_TEXT];
	char shared_text[DENALI_SIZE_TEXT];
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++) {
		rss += vms[i].resident_pages * DENALI_GUEST_PAGE_SIZE;
		host += vms[i].host_bytes;
	}
	denali_format_size(rss, rss_text, sizeof(rss_text));
	denali_format_size(host, host_text, sizeof(host_text));
	denali_format_size(listed_shared_pages * DENALI_GUEST_PAGE_SIZE,
			   shared_text, sizeof(shared_text));
	printf("total: %zu VM%s, %s resident guest memory, %s shared image memory, %s host kernel memory\n",
	       n, n == 1 ? "" : "s", rss_text, shared_text, host_text);
}

static void print_table(const struct denali_vm_info *vms, size_t n)
{
	static const struct row header = {
		"ID", "NAME", "STATE", "MEM", "RSS", "SHARED", "HOST", "OWNER",
		"PID", "NICS", "STATUS"
	};
	int w[COLS] = { 0 };
	struct row *rows;
	size_t i;

	rows = calloc(n + 1, sizeof(*rows));
	if (!rows) {
		fprintf(stderr, "%s: out of memory\n", progname);
		exit(EXIT_FAILED);
	}
	rows[0] = header;
	for (i = 0; i < n; i++)
		fill_row(&rows[i + 1], &vms[i]);

	/* Columns as wide as their widest cell, as ps does. */
	for (i = 0; i <= n; i++) {
		const struct row *r = &rows[i];
		const int len[COLS] = {
			strlen(r->id), strlen(r->name), strlen(r->state),
			strlen(r->mem), strlen(r->rss), strlen(r->shared),
			strlen(r->host),
			strlen(r->owner), strlen(r->pid), strlen(r->nics),
		};
		int c;

		for (c = 0; c < COLS; c++)
			if (len[c] > w[c])
				w[c] = len[c];
	}
	/* Numbers right-aligned, text left-aligned; STATUS runs on. */
	for (i = 0; i <= n; i++) {
		const struct row *r = &rows[i];

		printf("%*s  %-*s  %-*s  %*s  %*s  %*s  %*s  %-*s  %*s  %-*s  %s\n",
		       w[COL_ID], r->id, w[COL_NAME], r->name,
		       w[COL_STATE], r->state, w[COL_MEM], r->mem,
		       w[COL_RSS], r->rss, w[COL_SHARED], r->shared,
		       w[COL_HOST], r->host,
		       w[COL_OWNER], r->owner, w[COL_PID], r->pid,
		       w[COL_NICS], r->nics, r->status);
	}
	free(rows);
	print_totals(vms, n);
}

static void print_json(const struct denali_vm_info *vms, size_t n)
{
	size_t i;

	if (!n) {
		printf("[]\n");
		return;
	}
	printf("[\n");
	for (i = 0; i < n; i++) {
		printf("  ");
		json_print_vm(stdout, &vms[i], owner_name(vms[i].owner_uid),
			      list_nics, list_nic_count);
		printf("%s\n", i + 1 < n ? "," : "");
	}
	printf("]\n");
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct denali_nic_view *nics = NULL;
	struct denali_vm_info *vms;
	bool json = false;
	int opt, ctlfd, err;
	size_t n;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":j", longopts, NULL)) != -1) {
		if (opt != 'j')
			return bad_option("list", opt, argv);
		json = true;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: list takes no operands (usage: %s list [-j])\n",
			progname, progname);
		return EXIT_USAGE;
	}

	ctlfd = open_control_device();
	if (ctlfd < 0)
		return EXIT_FAILED;
	if (fetch_vms(ctlfd, &vms, &n)) {
		close(ctlfd);
		return EXIT_FAILED;
	}
	close(ctlfd);
	/* Each VM's interfaces: a listing without them is still a listing. */
	err = n ? find_vm_nics(-1, false, &nics, &list_nic_count) : 0;
	if (err) {
		fprintf(stderr, "%s: cannot read the VMs' interfaces: %s\n",
			progname, strerror(-err));
		list_nics_unknown = true;
	}
	list_nics = nics;
	if (json)
		print_json(vms, n);
	else
		print_table(vms, n);
	free_vm_nics(nics, list_nic_count);
	free(vms);
	return 0;
}

/*
 * ---------------------------------------------------------------------
 * destroy
 * ---------------------------------------------------------------------
 */

/*
 * DENALI_DESTROY_VM on @vm.  Returns 0; -ENOENT when it was gone
 * already (said unless @quiet_gone); -1 for any other failure; each
 * failure explained in one line.
 */
static int destroy_vm(int ctlfd, const struct denali_vm_info *vm,
		      bool quiet_gone)
{
	struct denali_vm_ref ref;
	char name[DENALI_NAME_MAX];

	memset(&ref, 0, sizeof(ref));
	ref.id = vm->id;
	if (!ioctl(ctlfd, DENALI_DESTROY_VM, &ref))
		return 0;
	vm_label(vm, name, sizeof(name));
	switch (errno) {
	case ENOENT:
		if (!quiet_gone)
			fprintf(stderr, "%s: no VM %u (VM %s is gone)\n",
				progname, vm->id, name);
		return -ENOENT;
	case EPERM:
	case EACCES:
		fprintf(stderr,
			"%s: not allowed to destroy VM %s (id %u): only its owner or root may\n",
			progname, name, vm->id);
		return -1;
	default:
		explain_ioctl_error(ctlfd, "DENALI_DESTROY_VM", errno);
		return -1;
	}
}

/* destroy --all: every VM the caller may see. */
static int destroy_all(int ctlfd)
{
	struct denali_vm_info *vms;
	size_t n, i, done = 0;
	int ret = 0, err;

	if (fetch_vms(ctlfd, &vms, &n))
		return EXIT_FAILED;
	for (i = 0; i < n; i++) {
		err = destroy_vm(ctlfd, &vms[i], true);
		if (!err)
			done++;
		else if (err != -ENOENT)	/* gone meanwhile: fine */
			ret = EXIT_FAILED;
	}
	free(vms);
	printf("destroyed %zu VM%s\n", done, done == 1 ? "" : "s");
	return ret;
}

int cmd_destroy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct denali_vm_info vm;
	bool all = false;
	int opt, ctlfd, ret;

	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":a", longopts, NULL)) != -1) {
		if (opt != 'a')
			return bad_option("destroy", opt, argv);
		all = true;
	}
	if (all ? optind != argc : argc - optind != 1) {
		fprintf(stderr,
			"%s: destroy takes one ID or NAME, or --all (usage: %s destroy ID|NAME|--all)\n",
			progname, progname);
		return EXIT_USAGE;
	}
	if (!all && check_vm_arg(argv[optind]))
		return EXIT_USAGE;

	ctlfd = open_control_device();
	if (ctlfd < 0)
		return EXIT_FAILED;
	if (all) {
		ret = destroy_all(ctlfd);
	} else {
		ret = find_vm(ctlfd, argv[optind], &vm);
		if (!ret && destroy_vm(ctlfd, &vm, false))
			ret = EXIT_FAILED;
	}
	close(ctlfd);
	return ret;
}
