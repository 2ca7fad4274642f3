/* check.h - a minimal test harness: CHECK() records, main returns failures. */
#ifndef JALIEND_CHECK_H
#define JALIEND_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed, check_passed;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (cond) {                                                                      \
			check_passed++;                                                          \
		} else {                                                                         \
			check_failed++;                                                          \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                                \
	} while (0)

#define CHECK_STR(a, b)                                                                       \
	do {                                                                                  \
		const char *a_ = (a), *b_ = (b);                                              \
		if (a_ && b_ && strcmp(a_, b_) == 0) {                                        \
			check_passed++;                                                       \
		} else {                                                                      \
			check_failed++;                                                       \
			fprintf(stderr, "%s:%d: expected\n%s\ngot\n%s\n", __FILE__, __LINE__, \
				b_ ? b_ : "(null)", a_ ? a_ : "(null)");                      \
		}                                                                             \
	} while (0)

static int check_report(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed != 0;
}

#endif
