// SPDX-License-Identifier: GPL-2.0-only
/*
 * The console: the PL011 /chosen/stdout-path names (PrimeCell UART PL011
 * TRM, DDI 0183, 3.3: UARTDR at 0x000, UARTFR at 0x018; UARTFR.RXFE, bit 4,
 * says the receive FIFO is empty). QEMU needs no
 * setup of the UART; the transmit FIFO full flag is still honoured so that a
 * real UART or a slow backend loses nothing.
 */
#include "libcflat.h"
#include "devicetree.h"
#include "arm/io.h"
#include "arm/setup.h"

#define UARTDR		0x000
#define UARTFR		0x018
#define UARTFR_RXFE	(1u << 4)
#define UARTFR_TXFF	(1u << 5)

static u8 *uart;

int pl011_init(void)
{
	int node = dt_get_stdout();
	struct dt_reg reg;

	if (node < 0)
		node = dt_find_compatible("arm,pl011");
	if (node < 0 || dt_get_reg(node, 0, &reg))
		return -1;
	uart = ioremap(reg.addr, reg.size);
	return 0;
}

void console_puts(const char *s)
{
	if (!uart)
		return;
	for (; *s; s++) {
		while (raw_readl(uart + UARTFR) & UARTFR_TXFF)
			;
		raw_writel((u8)*s, uart + UARTDR);
	}
}

int console_getc(void)
{
	if (!uart || (raw_readl(uart + UARTFR) & UARTFR_RXFE))
		return -1;
	return (int)(raw_readl(uart + UARTDR) & 0xff);
}
