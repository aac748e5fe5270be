/* t_status - error records: codes, formatting, prefixes, truncation. */
#include <errno.h>
#include <string.h>

#include "../../libcore/status.h"
#include "check.h"

int
main(void)
{
	char longname[2000];
	lc_err e;
	int rc;

	rc = lc_errf(&e, LC_EFORMAT, "kv %d '%s': bad", 3, "x");
	CHECK(rc == LC_EFORMAT && e.code == LC_EFORMAT && e.sys == 0,
	    "lc_errf code %d", rc);
	CHECK(strcmp(e.msg, "kv 3 'x': bad") == 0, "msg '%s'", e.msg);
	lc_errprefix(&e, "m.gguf");
	CHECK(strcmp(e.msg, "m.gguf: kv 3 'x': bad") == 0, "prefixed '%s'",
	    e.msg);
	errno = ENOENT;
	rc = lc_errsys(&e, "%s", "nosuch");
	CHECK(rc == LC_EIO && e.sys == ENOENT &&
	    strcmp(e.msg, "nosuch: No such file or directory") == 0,
	    "errsys '%s'", e.msg);
	CHECK(lc_errf(NULL, LC_ENOMEM, "x") == LC_ENOMEM, "NULL e");
	lc_errprefix(NULL, "x");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	lc_errf(&e, LC_EFORMAT, "%s", longname);
	CHECK(strlen(e.msg) == sizeof(e.msg) - 1, "truncated to %zu",
	    strlen(e.msg));
	lc_errprefix(&e, longname);
	CHECK(strlen(e.msg) == sizeof(e.msg) - 1 &&
	    strncmp(e.msg, "aaa", 3) == 0, "long prefix kept in bounds");
	lc_errf(&e, LC_EFORMAT, "tail");
	lc_errprefix(&e, longname);
	CHECK(strlen(e.msg) < sizeof(e.msg), "prefix longer than msg");
	CHECK(strcmp(lc_strerror(LC_EFORMAT), "malformed input") == 0 &&
	    strcmp(lc_strerror(-1), "unknown error") == 0 &&
	    strcmp(lc_strerror(LC_NCODES), "unknown error") == 0,
	    "lc_strerror");
	return DONE("t_status");
}
