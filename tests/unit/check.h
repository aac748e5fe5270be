/*
 * check.h - the unit-test harness: CHECK(cond, fmt, ...) counts and
 * reports a failure without stopping; main returns DONE().
 * Output: "ok NAME" once per file when all passed, else one
 * "FAILED name: detail" line per failed check.
 */
#ifndef LC_CHECK_H
#define LC_CHECK_H

#include <stdio.h>

static int check_failures, check_count;

#define CHECK(cond, ...) do { \
	check_count++; \
	if (!(cond)) { \
		check_failures++; \
		printf("FAILED %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		putchar('\n'); \
	} \
} while (0)

#define DONE(name) (printf("%s %s: %d checks, %d failed\n", \
	check_failures ? "FAILED" : "ok", (name), check_count, \
	check_failures), check_failures > 0)

#endif /* LC_CHECK_H */
