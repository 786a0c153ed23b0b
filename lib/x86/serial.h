#ifndef X86_SERIAL_H
#define X86_SERIAL_H

void serial_init(void);
void console_puts(const char *s);
int console_getc(void);

#endif
