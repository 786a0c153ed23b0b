/* SPDX-License-Identifier: GPL-2.0-only */
/* What setup learnt about the machine. */
#ifndef POWERPC_SETUP_H
#define POWERPC_SETUP_H

#include "libcflat.h"

/* Bytes of RAM the device tree's /memory nodes describe. */
u64 ram_size(void);

#endif
