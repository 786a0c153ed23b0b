/* SPDX-License-Identifier: GPL-2.0-only */
/* libfdt's sources include <string.h>: the tiny libc has what they call
 * (mem*, strlen, strnlen, strchr, strrchr). Only on libfdt's include path. */
#include "libc.h"
