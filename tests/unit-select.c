/* Unit tests of test selection (launcher/select.c). */
#include "cfg.h"
#include "select.h"
#include "unit-harness.h"

static const char catalog[] =
	"[apic]\nfile = apic.flat\ngroups = apic\n"
	"[apic-split]\nfile = apic.flat\ngroups = apic\n"
	"[ioapic]\nfile = ioapic.flat\n"
	"[eventinj]\nfile = eventinj.flat\n"
	"[vmx]\nfile = vmx.flat\ngroups = vmx nodefault\n"
	"[vmx_apicv]\nfile = vmx.flat\ngroups = vmx\n";

static struct cfg cfg;
static char err[512];

/* The selected names joined by ' ', or the error. */
static char result[1024];

static const char *pick(const char *const *pats, const char *const *groups, bool all)
{
	struct strv p = { 0 }, g = { 0 };
	struct selection sel;

	for (; pats && *pats; pats++)
		strv_push(&p, *pats);
	for (; groups && *groups; groups++)
		strv_push(&g, *groups);
	result[0] = '\0';
	if (select_tests(&cfg, &p, &g, all, &sel, err, sizeof(err)) < 0) {
		snprintf(result, sizeof(result), "error: %s", err);
	} else {
		for (size_t i = 0; i < sel.n; i++) {
			size_t l = strlen(result);

			snprintf(result + l, sizeof(result) - l, "%s%s", i ? " " : "",
				 sel.tests[i]->name);
		}
		selection_free(&sel);
	}
	strv_free(&p);
	strv_free(&g);
	return result;
}

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void select_default_set_leaves_out_nodefault(void)
{
	EXPECT_STR(pick(NULL, NULL, false), "apic apic-split ioapic eventinj vmx_apicv");
}

static void select_all_includes_nodefault(void)
{
	EXPECT_STR(pick(NULL, NULL, true), "apic apic-split ioapic eventinj vmx vmx_apicv");
}

static void select_by_name_includes_nodefault_test(void)
{
	EXPECT_STR(pick(LIST("vmx"), NULL, false), "vmx");
}

static void select_by_glob_keeps_catalog_order(void)
{
	EXPECT_STR(pick(LIST("*apic*"), NULL, false), "apic apic-split ioapic vmx_apicv");
}

static void select_by_group(void)
{
	EXPECT_STR(pick(NULL, LIST("vmx"), false), "vmx vmx_apicv");
	EXPECT_STR(pick(NULL, LIST("nodefault"), false), "vmx");
}

static void select_names_and_groups_add_up_without_duplicates(void)
{
	EXPECT_STR(pick(LIST("eventinj", "apic"), LIST("apic"), false),
		   "apic apic-split eventinj");
}

static void select_unknown_name_suggests_closest(void)
{
	EXPECT_STR(pick(LIST("eventin"), NULL, false),
		   "error: unknown test 'eventin'; did you mean: eventinj");
	EXPECT_STR(pick(LIST("apic-splt"), NULL, false),
		   "error: unknown test 'apic-splt'; did you mean: apic-split");
	EXPECT_STR(pick(LIST("apci"), NULL, false),
		   "error: unknown test 'apci'; did you mean: apic");
}

static void select_unknown_name_far_from_all_says_see_list(void)
{
	EXPECT_STR(pick(LIST("completely-different"), NULL, false),
		   "error: unknown test 'completely-different' (see --list)");
}

static void select_unknown_group_suggests_closest(void)
{
	EXPECT_STR(pick(NULL, LIST("vxm"), false),
		   "error: unknown group 'vxm'; did you mean: vmx");
}

static void select_glob_matching_nothing_is_an_error(void)
{
	EXPECT_STR(pick(LIST("zz*"), NULL, false), "error: no test matches 'zz*' (see --list)");
}

static void select_edit_distance(void)
{
	EXPECT_INT(edit_distance("", ""), 0);
	EXPECT_INT(edit_distance("apic", "apic"), 0);
	EXPECT_INT(edit_distance("apic", "apci"), 2);
	EXPECT_INT(edit_distance("eventin", "eventinj"), 1);
	EXPECT_INT(edit_distance("kitten", "sitting"), 3);
	EXPECT_INT(edit_distance("", "abc"), 3);
}

int main(void)
{
	char e[256];

	if (cfg_parse("t.cfg", catalog, strlen(catalog), &cfg, e, sizeof(e)) < 0) {
		printf("Bail out! %s\n", e);
		return 1;
	}
	RUN(select_default_set_leaves_out_nodefault);
	RUN(select_all_includes_nodefault);
	RUN(select_by_name_includes_nodefault_test);
	RUN(select_by_glob_keeps_catalog_order);
	RUN(select_by_group);
	RUN(select_names_and_groups_add_up_without_duplicates);
	RUN(select_unknown_name_suggests_closest);
	RUN(select_unknown_name_far_from_all_says_see_list);
	RUN(select_unknown_group_suggests_closest);
	RUN(select_glob_matching_nothing_is_an_error);
	RUN(select_edit_distance);
	cfg_free(&cfg);
	return unit_done();
}
