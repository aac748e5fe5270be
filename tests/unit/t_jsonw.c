/* t_jsonw - the JSON record writer: structure, escapes, numbers. */
#include <math.h>
#include <string.h>

#include "../../libcore/jsonw.h"
#include "check.h"

static lc_jw w;

#define IS(want) CHECK(strcmp(w.buf, (want)) == 0, "got %s, want %s", \
	w.buf, (want)); lc_jw_reset(&w)

int
main(void)
{
	lc_jw_init(&w);
	lc_jw_obj(&w);
	lc_jw_key(&w, "a"); lc_jw_u64(&w, 18446744073709551615ULL);
	lc_jw_key(&w, "b"); lc_jw_i64(&w, -9223372036854775807LL - 1);
	lc_jw_key(&w, "c"); lc_jw_arr(&w);
	lc_jw_bool(&w, 1); lc_jw_null(&w); lc_jw_arr(&w); lc_jw_arr_end(&w);
	lc_jw_obj(&w); lc_jw_obj_end(&w);
	lc_jw_arr_end(&w);
	lc_jw_key(&w, "d"); lc_jw_raw(&w, "{\"x\":1}", 7);
	lc_jw_obj_end(&w);
	IS("{\"a\":18446744073709551615,\"b\":-9223372036854775808,"
	    "\"c\":[true,null,[],{}],\"d\":{\"x\":1}}");

	lc_jw_str(&w, "q\"b\\s/\n\t\r\x01\x1f\x7f");
	IS("\"q\\\"b\\\\s/\\n\\t\\r\\u0001\\u001f\\u007f\"");
	lc_jw_strn(&w, "a\0b", 3);
	IS("\"a\\u0000b\"");
	lc_jw_str(&w, "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\xa6\x99");	/* é € 🦙 */
	IS("\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\xa6\x99\"");
	lc_jw_str(&w, "\xc2\x85");		/* C1 control NEL */
	IS("\"\\u0085\"");
	CHECK(w.badutf8 == 0, "no bad utf-8 yet");
	/* invalid: lone continuation, overlong, surrogate, truncated, > U+10FFFF */
	lc_jw_str(&w, "\x80|\xc0\xaf|\xed\xa0\x80|\xe2\x82|\xf4\x90\x80\x80");
	IS("\"\\ufffd|\\ufffd\\ufffd|\\ufffd\\ufffd\\ufffd|\\ufffd\\ufffd|"
	    "\\ufffd\\ufffd\\ufffd\\ufffd\"");
	CHECK(w.badutf8 == 12, "badutf8 = %u", w.badutf8);

	lc_jw_f32(&w, 0.1f);
	IS("0.100000001");
	lc_jw_f32(&w, 9.99999975e-06f);
	IS("9.99999975e-06");
	lc_jw_f64(&w, 0.1);
	IS("0.10000000000000001");
	lc_jw_fix(&w, 5.74399, 3);
	IS("5.744");
	lc_jw_f32(&w, NAN);
	lc_jw_f64(&w, INFINITY);
	lc_jw_fix(&w, -INFINITY, 2);
	IS("null,null,null");
	CHECK(w.nonfinite == 3, "nonfinite = %u", w.nonfinite);
	CHECK(!w.oom, "no oom");
	lc_jw_free(&w);
	return DONE("t_jsonw");
}
