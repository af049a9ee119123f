/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What denalictl's verbs share: the exit statuses, the control device,
 * finding a VM by id or name, and starting a runner.  Each verb lives in
 * a file of its own (create.c with runner.c, list.c, console.c,
 * stats.c, irq.c); this header is how they reach each other and main() in
 * denalictl.c.  The pure parts the host tests check have headers of
 * their own (parse.h, report.h, format.h, json.h, lookup.h, abi.h).
 */
#ifndef DENALICTL_H
#define DENALICTL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "uapi/denali.h"
#include "denali_release.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Exit statuses; create --foreground adds the VM's own (see create.c). */
#define EXIT_FAILED	1	/* the operation failed */
#define EXIT_USAGE	2	/* the command line was wrong */

extern const char *progname;

/*
 * Open /dev/denali, or explain in one line why it cannot be opened;
 * returns -1 after printing.
 */
int open_control_device(void);

/*
 * Explain in one line why ioctl @what on the control device @ctlfd
 * failed with @err; ENOTTY means a module older than this tool, and the
 * line says which ABI the module has.
 */
void explain_ioctl_error(int ctlfd, const char *what, int err);

/*
 * Report an option getopt_long() (called with ":" first in its option
 * string) refused: @opt is its return value, @argv and @optind as it
 * left them.  Returns EXIT_USAGE.
 */
int bad_option(const char *verb, int opt, char **argv);

/* Write all of @buf to @fd, retrying after EINTR; 0, or -1 (errno). */
int write_all(int fd, const char *buf, size_t len);

/*
 * list_vms() - every VM the caller may see, by id, from DENALI_LIST_VMS
 * @vms: set to a malloc()ed array the caller frees (even when empty);
 *       @n to its length.
 * Returns 0, or a negative errno; prints nothing.
 */
int list_vms(int ctlfd, struct denali_vm_info **vms, size_t *n);

/* list_vms(), but returns -1 after explaining a failure in one line. */
int fetch_vms(int ctlfd, struct denali_vm_info **vms, size_t *n);

/*
 * check_vm_arg() - whether @arg can name a VM at all (an id or a valid
 * name), so that a command line is refused before any I/O; returns 0,
 * or EXIT_USAGE after one line saying so.
 */
int check_vm_arg(const char *arg);

/*
 * find_vm() - the VM @arg ("ID|NAME", see lookup.h) names, into *@vm
 * Returns 0; EXIT_USAGE if @arg can be neither an id nor a name;
 * EXIT_FAILED if no VM, or more than one, answers to it; each after one
 * line saying so.
 */
int find_vm(int ctlfd, const char *arg, struct denali_vm_info *vm);

/*
 * open_vm() - a new file descriptor for @vm (DENALI_OPEN_VM), or -1
 * after one line saying why not.
 */
int open_vm(int ctlfd, const struct denali_vm_info *vm);

/*
 * vm_label() - the VM's name, safe to print (see denali_copy_printable()),
 * into @buf of at least DENALI_NAME_MAX bytes; returns @buf.
 */
char *vm_label(const struct denali_vm_info *vm, char *buf, size_t len);

/*
 * proctitle_init() - remember, from main(), where the process's argument
 * strings are, so that a runner can later show `denali:NAME` in ps.
 */
void proctitle_init(int argc, char **argv);

/*
 * start_runner() - hand the new VM @vmfd (@name, @id) to a runner
 * process, print "id N name NAME pid PID" once it runs, and close both
 * @ctlfd and @vmfd here; returns denalictl's exit status.
 */
int start_runner(int ctlfd, int vmfd, const char *name, unsigned int id);

/* runner.c, shared with pool.c: the parts of being a runner. */
void set_title(const char *title);
_Noreturn void runner_fail(void);
/* Reset signals, detach from session and terminal, keep only *@a, *@b. */
void runner_detach(int *a, int *b);
void explain_runner_exit(const char *name, unsigned int id, int status);
int wait_until_running(int ctlfd, unsigned int id, pid_t pid,
		       const char *name, bool ran);

/*
 * pool.c: hand the new VM @vmfd to the shared runner @runner ("auto":
 * the first of auto-0, auto-1... with room), starting it if need be;
 * as start_runner() otherwise.
 */
int pool_hand_over(int ctlfd, int vmfd, const char *name, unsigned int id,
		   const char *runner);

/*
 * bridge.c: attach interface @ifname to bridge @bridge and bring it up;
 * 0, or -errno with a sentence in @err.
 */
int attach_to_bridge(const char *ifname, const char *bridge, char *err,
		     size_t errlen);

struct denali_nic_view;

/*
 * nics.c: find_vm_nics() - the VMs' NICs among the interfaces of the
 * caller's network namespace, sorted by VM id and NIC number
 * @vm_id:    only this VM's, or every VM's when negative.
 * @counters: also read each one's counters (struct denali_nic_view).
 * @nics:     set to an array for free_vm_nics() (NULL when none), @n to
 *            its length.
 * Returns 0, or a negative errno (rtnetlink unreachable, no memory);
 * prints nothing.
 */
int find_vm_nics(long vm_id, bool counters, struct denali_nic_view **nics,
		 size_t *n);
void free_vm_nics(struct denali_nic_view *nics, size_t n);
/*
 * nics.c: add_switch_ports() - append to @nics (@n of them) VM @vm_id's
 * NICs that are ports of the module's switch (ABI 0.7), asked of its VM
 * file @vmfd, and sort them in; 0 (none, too, with an older module) or
 * a negative errno.
 */
int add_switch_ports(int vmfd, unsigned int vm_id,
		     struct denali_nic_view **nics, size_t *n);

/* The verbs: each takes its own argv (argv[0] is the verb). */
int cmd_version(int argc, char **argv);
int cmd_create(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_destroy(int argc, char **argv);
int cmd_console(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_irq(int argc, char **argv);

#endif /* DENALICTL_H */
