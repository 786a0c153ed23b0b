/*
 * Console on the first 16550 UART (COM1, I/O ports 0x3f8-0x3ff). Register
 * offsets and bits: National Semiconductor PC16550D data sheet, table 2.
 */
#include "libcflat.h"
#include "x86/processor.h"
#include "x86/serial.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding (DLAB = 0) */
#define UART_RBR	0	/* receiver buffer (DLAB = 0), read */
#define UART_DLL	0	/* divisor latch low (DLAB = 1) */
#define UART_IER	1	/* interrupt enable (DLAB = 0) */
#define UART_DLM	1	/* divisor latch high (DLAB = 1) */
#define UART_FCR	2	/* FIFO control */
#define UART_LCR	3	/* line control */
#define UART_MCR	4	/* modem control */
#define UART_LSR	5	/* line status */

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define FCR_ENABLE_CLEAR 0x07	/* enable FIFOs, clear RX and TX */
#define MCR_DTR_RTS	0x03
#define LSR_DR		0x01	/* data ready: a byte in RBR or the FIFO */
#define LSR_THRE	0x20	/* transmit holding register empty */

#define BAUD_DIVISOR	1	/* 115200 baud from the 1.8432 MHz clock */

void serial_init(void)
{
	outb(0, COM1 + UART_IER);
	outb(LCR_DLAB, COM1 + UART_LCR);
	outb(BAUD_DIVISOR & 0xff, COM1 + UART_DLL);
	outb(BAUD_DIVISOR >> 8, COM1 + UART_DLM);
	outb(LCR_8N1, COM1 + UART_LCR);
	outb(FCR_ENABLE_CLEAR, COM1 + UART_FCR);
	outb(MCR_DTR_RTS, COM1 + UART_MCR);
}

static void serial_putc(char c)
{
	/* Bounded: a missing UART reads 0xff and so looks ready. */
	unsigned spins = 100000;

	while (!(inb(COM1 + UART_LSR) & LSR_THRE) && --spins)
		pause();
	outb(c, COM1 + UART_THR);
}

void console_puts(const char *s)
{
	/* lib/console.c calls this with the console lock held. */
	while (*s)
		serial_putc(*s++);
}

int console_getc(void)
{
	/* a missing UART reads 0xff: data ready, and the byte 0xff */
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + UART_RBR);
}
