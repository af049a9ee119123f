// SPDX-License-Identifier: GPL-2.0
/*
 * The file tree of an image built without one: "/", empty.  An image
 * with a tree (ilwaco-cc --files) defines these symbols in its own
 * object, ahead of libilwaco-posix.a on the link line, so this member of
 * the archive is never pulled in then.
 */
#include "posix.h"

const struct file_entry ilwaco_file_table[] = {
	{ .path = "/", .mode = L_S_IFDIR | 0555 },
};
const unsigned long ilwaco_file_count = 1;
