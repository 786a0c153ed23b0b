/* SPDX-License-Identifier: GPL-2.0-only */
/* libfdt's sources include <stdlib.h> (fdt_overlay.c calls strtoul): the
 * tiny libc has it. Only on libfdt's include path. */
#include "libc.h"
