/*
 * Self-test of the x86 runtime and the library: formatted output, the
 * heap, exception catching (#DE, #UD, #GP, #PF), page tables, the command
 * line and what fw_cfg says about the machine.
 *
 * test_args: "smp=<n> mem=<MiB>" give the -smp and -m QEMU was started
 * with; every other word must be exactly: arg1 "two words".
 */
#include "libcflat.h"
#include "x86/desc.h"
#include "x86/processor.h"
#include "x86/setup.h"
#include "x86/smp.h"
#include "x86/vm.h"

static void check_fmt(const char *fmt, const char *got, int ret,
		      const char *want)
{
	report(!strcmp(got, want) && ret == (int)strlen(want),
	       "\"%s\" gives \"%s\" (returns %d), want \"%s\" (%d)",
	       fmt, got, ret, want, (int)strlen(want));
}

#define CHECK_FMT(want, fmt, ...)					\
	do {								\
		char buf_[64];						\
		int ret_ = snprintf(buf_, sizeof(buf_), fmt, __VA_ARGS__); \
		check_fmt(fmt, buf_, ret_, want);			\
	} while (0)

static void test_snprintf(void)
{
	const char *volatile null_str = NULL;
	char small[4];
	int ret;

	report_prefix_push("snprintf");
	CHECK_FMT("42", "%d", 42);
	CHECK_FMT("-42", "%d", -42);
	CHECK_FMT("7", "%i", 7);
	CHECK_FMT("3000000000", "%u", 3000000000u);
	CHECK_FMT("beef", "%x", 0xbeefu);
	CHECK_FMT("BEEF", "%X", 0xbeefu);
	CHECK_FMT("17", "%o", 15u);
	CHECK_FMT("0x1234", "%p", (void *)0x1234);
	CHECK_FMT("str", "%s", "str");
	CHECK_FMT("(null)", "%s", null_str);
	CHECK_FMT("z", "%c", 'z');
	CHECK_FMT("100%", "%d%%", 100);
	/* flags */
	CHECK_FMT("42   |", "%-5d|", 42);
	CHECK_FMT("00042", "%05d", 42);
	CHECK_FMT("-0042", "%05d", -42);
	CHECK_FMT("+42", "%+d", 42);
	CHECK_FMT(" 42", "% d", 42);
	CHECK_FMT("0xff", "%#x", 0xffu);
	CHECK_FMT("0XFF", "%#X", 0xffu);
	CHECK_FMT("010", "%#o", 8u);
	/* width and precision */
	CHECK_FMT("   ab", "%5s", "ab");
	CHECK_FMT("ab   |", "%-5s|", "ab");
	CHECK_FMT("ab", "%.2s", "abcdef");
	CHECK_FMT("   7", "%*d", 4, 7);
	CHECK_FMT("abc", "%.*s", 3, "abcdef");
	CHECK_FMT("005", "%.3d", 5);
	CHECK_FMT("     005", "%8.3d", 5);
	CHECK_FMT("  0x2a", "%6p", (void *)0x2a);
	/* sizes */
	CHECK_FMT("44", "%hhd", 300);
	CHECK_FMT("4464", "%hd", 70000);
	CHECK_FMT("-1", "%ld", -1l);
#ifdef __x86_64__
	CHECK_FMT("deadbeefcafe", "%lx", 0xdeadbeefcafeul);
#else
	CHECK_FMT("deadbeef", "%lx", 0xdeadbeeful);
#endif
	CHECK_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK_FMT("123", "%zu", (size_t)123);
	CHECK_FMT("-5", "%jd", (intmax_t)-5);
	CHECK_FMT("-6", "%td", (ptrdiff_t)-6);
	/* truncation: C11 7.21.6.5, the return value is the full length */
	ret = snprintf(small, sizeof(small), "%s", "abcdef");
	report(ret == 6 && !strcmp(small, "abc"),
	       "truncated to \"%s\" returning %d, want \"abc\" and 6",
	       small, ret);
	report_prefix_pop();
}

static void test_alloc(void)
{
	size_t before = heap_free_bytes();
	void *a, *b, *p;
	unsigned char *c;
	size_t i, nonzero = 0;

	report_prefix_push("alloc");
	a = malloc(100);
	free(a);
	b = malloc(100);
	report(a && a == b, "freed block reused (first %p, second %p)", a, b);
	report(((uintptr_t)b & (MALLOC_ALIGN - 1)) == 0,
	       "malloc aligned to %d (got %p)", MALLOC_ALIGN, b);
	free(b);

	p = memalign(PAGE_SIZE, 100);
	report(p && ((uintptr_t)p & (PAGE_SIZE - 1)) == 0,
	       "memalign(4096) (got %p)", p);
	free(p);
	p = memalign(LARGE_PAGE_SIZE, PAGE_SIZE);
	report(p && ((uintptr_t)p & (LARGE_PAGE_SIZE - 1)) == 0,
	       "memalign(2 MiB) (got %p)", p);
	free(p);

	c = malloc(256);
	memset(c, 0xaa, 256);
	free(c);
	c = calloc(32, 8);
	for (i = 0; c && i < 256; i++)
		nonzero += c[i] != 0;
	report(c && !nonzero, "calloc zeroed (%zu nonzero bytes of 256)",
	       nonzero);
	free(c);

	report(heap_free_bytes() == before,
	       "everything freed (free bytes %zu, want %zu)",
	       heap_free_bytes(), before);
	report_prefix_pop();
}

static void raise_de(void *arg)
{
	(void)arg;
	asm volatile("divl %2" :: "a"(1), "d"(0), "r"(0) : "memory");
}

static void raise_ud(void *arg)
{
	(void)arg;
	asm volatile("ud2");
}

/* Selector 0x1000 indexes past the end of our 8-entry GDT: #GP with the
 * selector as error code (SDM vol 2B, MOV "Protected Mode Exceptions"). */
#define BAD_SELECTOR	0x1000

static void raise_gp_selector(void *arg)
{
	(void)arg;
	asm volatile("mov %0, %%fs" :: "r"(BAD_SELECTOR) : "memory");
}

#ifdef __x86_64__
/* A non-canonical address (bits 63:47 not all equal): #GP(0), SDM vol 3,
 * 3.3.7.1. */
static void raise_gp_noncanonical(void *arg)
{
	(void)arg;
	asm volatile("movq (%0), %%rax"
		     :: "r"(0x8000000000000000ull) : "rax", "memory");
}
#endif

static void read_byte(void *arg)
{
	(void)*(volatile u8 *)arg;
}

static void write_byte(void *arg)
{
	*(volatile u8 *)arg = 1;
}

static bool ran_to_end;

static void no_exception(void *arg)
{
	(void)arg;
	ran_to_end = true;
}

static void check_ex(const char *what, struct ex_result r, unsigned vector,
		     u64 error_code)
{
	report(r.raised && r.vector == vector && r.error_code == error_code,
	       "%s: raised %d, vector %u (%s), error code %#lx; "
	       "want vector %u (%s), error code %#lx",
	       what, r.raised, r.vector, exception_mnemonic(r.vector),
	       (unsigned long)r.error_code, vector,
	       exception_mnemonic(vector), (unsigned long)error_code);
}

static void test_exceptions(void)
{
	struct ex_result r;
	u64 val;
	int vec;

	report_prefix_push("exceptions");
	r = run_catching(no_exception, NULL);
	report(!r.raised && ran_to_end,
	       "no exception: raised %d, function finished %d", r.raised,
	       ran_to_end);
	check_ex("div by zero", run_catching(raise_de, NULL), DE_VECTOR, 0);
	check_ex("ud2", run_catching(raise_ud, NULL), UD_VECTOR, 0);
	check_ex("mov to fs of selector 0x1000",
		 run_catching(raise_gp_selector, NULL), GP_VECTOR,
		 BAD_SELECTOR);
#ifdef __x86_64__
	check_ex("non-canonical load", run_catching(raise_gp_noncanonical, NULL),
		 GP_VECTOR, 0);
#endif

	/* IA32_PKRS bits 63:32 are reserved, and without PKS the MSR does
	 * not exist: #GP(0) either way (SDM vol 4, table 2-2). QEMU's TCG
	 * checks this one, unlike most reserved MSR bits. */
	vec = wrmsr_safe(MSR_IA32_PKRS, 1ull << 32);
	report(vec == GP_VECTOR && exception_error_code() == 0,
	       "wrmsr_safe(IA32_PKRS, 1 << 32): vector %d, error code %#lx; "
	       "want %d, 0", vec, (unsigned long)exception_error_code(),
	       GP_VECTOR);
	vec = rdmsr_safe(MSR_EFER, &val);
#ifdef __x86_64__
	report(vec == 0 && (val & EFER_LMA),
	       "rdmsr_safe(EFER): vector %d, value %#lx; want 0 and LMA set",
	       vec, (unsigned long)val);
#else
	/* i386: EFER exists only with NX or long mode in CPUID (SDM vol 4,
	 * table 2-2); where it does, LMA is clear outside IA-32e mode. */
	report((vec == 0 && !(val & EFER_LMA)) || vec == GP_VECTOR,
	       "rdmsr_safe(EFER): vector %d, value %#lx; want 0 and LMA "
	       "clear, or %d", vec, (unsigned long)val, GP_VECTOR);
#endif
	report_prefix_pop();
}

static void check_pf(const char *what, void (*fn)(void *), void *addr,
		     u64 error_code)
{
	struct ex_result r = run_catching(fn, addr);

	check_ex(what, r, PF_VECTOR, error_code);
	report(r.cr2 == (u64)(uintptr_t)addr, "%s: CR2 %#lx, want %p", what,
	       (unsigned long)r.cr2, addr);
}

static void test_paging(void)
{
	u8 *page = alloc_page();
	u64 phys = (u64)(uintptr_t)page;
	volatile u32 *alias;
	u64 *pte;
	int level = 0;

	report_prefix_push("paging");
	pte = get_pte_level(page, &level);
	report(pte && level == 2 && (*pte & PT_PRESENT) &&
	       (*pte & PT_ADDR_MASK) == (phys & ~(LARGE_PAGE_SIZE - 1)),
	       "heap page %p identity-mapped by a 2 MiB page "
	       "(level %d, entry %#lx)", page, level,
	       pte ? (unsigned long)*pte : 0ul);

	*(volatile u32 *)page = 0x5a5aa5a5;
	alias = vmap(phys, PAGE_SIZE);
	report((void *)alias != page && *alias == 0x5a5aa5a5,
	       "vmap alias %p of %p reads %#x, want 0x5a5aa5a5",
	       (void *)alias, page, *alias);
	*alias = 0x12345678;
	report(*(volatile u32 *)page == 0x12345678,
	       "write through the alias seen at %p (got %#x)", page,
	       *(volatile u32 *)page);
	report(virt_to_phys((void *)alias) == phys,
	       "virt_to_phys(alias) %#lx, want %#lx",
	       (unsigned long)virt_to_phys((void *)alias),
	       (unsigned long)phys);

	/* #PF error codes: SDM vol 3, 4.7 */
	unmap_page(page);
	pte = get_pte_level(page, &level);
	report(pte && level == 1 && !(*pte & PT_PRESENT),
	       "unmapped page has a non-present 4 KiB PTE (level %d)", level);
	check_pf("read of a non-present page", read_byte, page, 0);
	check_pf("write to a non-present page", write_byte, page, PFERR_WRITE);
	install_page(page, phys, 0);
	check_pf("write to a read-only page (CR0.WP=1)", write_byte, page,
		 PFERR_PRESENT | PFERR_WRITE);
	install_page(page, phys, PT_WRITABLE);
	report(run_catching(write_byte, page).raised == false,
	       "writable again after install_page");
	report_prefix_pop();
}

static unsigned handler_hits;
static u64 handler_vector;

static void count_handler(struct ex_regs *regs)
{
	handler_hits++;
	handler_vector = regs->vector;
}

#define TEST_SOFT_VECTOR	0x40

static void test_handlers(void)
{
	exception_handler_t old;

	report_prefix_push("handle_exception");
	old = handle_exception(TEST_SOFT_VECTOR, count_handler);
	asm volatile("int %0" :: "i"(TEST_SOFT_VECTOR) : "memory");
	asm volatile("int %0" :: "i"(TEST_SOFT_VECTOR) : "memory");
	handle_exception(TEST_SOFT_VECTOR, old);
	report(handler_hits == 2 && handler_vector == TEST_SOFT_VECTOR,
	       "int $%#x ran the handler %u times with vector %#lx, want 2 "
	       "and %#x", TEST_SOFT_VECTOR, handler_hits,
	       (unsigned long)handler_vector, TEST_SOFT_VECTOR);
	report_prefix_pop();
}

static void test_args(int argc, char **argv)
{
	static const char *const want[] = { "arg1", "two words" };
	long want_smp = -1, want_mem = -1;
	const char *rest[8];
	unsigned nrest = 0, i;
	bool same;
	int a;

	report_prefix_push("args");
	for (a = 1; a < argc; a++) {
		if (!strncmp(argv[a], "smp=", 4))
			want_smp = strtol(argv[a] + 4, NULL, 0);
		else if (!strncmp(argv[a], "mem=", 4))
			want_mem = strtol(argv[a] + 4, NULL, 0);
		else if (nrest < ARRAY_SIZE(rest))
			rest[nrest++] = argv[a];
	}

	a = argc > 0 ? (int)strlen(argv[0]) : 0;
	report(a >= 13 && !strcmp(argv[0] + a - 13, "selftest.flat"),
	       "argv[0] \"%s\" ends in selftest.flat",
	       argc > 0 ? argv[0] : "(none)");

	same = nrest == ARRAY_SIZE(want);
	for (i = 0; same && i < nrest; i++)
		same = !strcmp(rest[i], want[i]);
	if (!nrest) {
		report_skip("no arguments besides smp=/mem= to compare");
	} else {
		report(same, "%u words besides smp=/mem=, first \"%s\", "
		       "last \"%s\"; want 2: \"arg1\" \"two words\"", nrest,
		       rest[0], rest[nrest - 1]);
	}

	if (want_smp < 0)
		report_skip("no smp=<n> argument");
	else
		report(nr_cpus == (unsigned long)want_smp,
		       "nr_cpus %u (fw_cfg), want %ld", nr_cpus, want_smp);
	if (want_mem < 0)
		report_skip("no mem=<MiB> argument");
	else
		report(ram_size() == (u64)want_mem << 20,
		       "RAM %lu MiB (fw_cfg), want %ld",
		       (unsigned long)(ram_size() >> 20), want_mem);
	report_prefix_pop();
}

int main(int argc, char **argv)
{
	report_prefix_push("selftest");
	test_args(argc, argv);
	test_snprintf();
	test_alloc();
	test_exceptions();
	test_handlers();
	test_paging();
	return report_summary();
}
