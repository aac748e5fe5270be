/*
 * t_chat - chat templates: family recognition (llama.cpp's order), and
 * rendering checked byte for byte against the Jinja goldens in
 * tests/golden/chat (tests/oracle/chat_golden.py).  Run from the
 * repository root; missing goldens are a failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "../../libcore/chat.h"
#include "check.h"

#define GOLDEN	"tests/golden/chat/"

static const struct {
	const char	*tmpl, *family;
} cases[] = {
	{ "{{'<|im_start|>' + message['role'] + '\\n'}}", "chatml" },
	{ "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud.",
	    "qwen2" },
	{ "<|im_start|>{% if tools %}<tool_call>{% endif %}", "qwen2" },
	{ "<|im_start|>assistant\n<think>\n\n</think>", "qwen3" },
	{ "<|im_start|>system<|im_sep|>", "phi4" },
	{ "{{ bos_token }}[INST] {{ m }} [/INST]", "mistral" },
	{ "mistral-v7", "mistral" },
	{ "<|user|>\n{{ m }}<|end|>\n<|assistant|>", "phi3" },
	{ "<|user|>\n{{ m }}<|endoftext|>", "zephyr" },
	{ "{{ bos_token }}<start_of_turn>user\n", "gemma" },
	{ "<|start_header_id|>user<|end_header_id|>\n\n", "llama3" },
	{ "<|START_OF_TURN_TOKEN|><|USER_TOKEN|>", "command-r" },
	{ "### Instruction:\n{{m}}\n<|EOT|>", "deepseek" },
	{ "<|start_of_role|>user<|end_of_role|>", "granite" },
	{ "<|header_start|>user<|header_end|>", "llama4" },
	{ "{% for m in messages %}{{ m.content }}{% endfor %}", "unknown" },
	{ "", "unknown" },
};

/* Reads a whole file; NULL if it cannot. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	char *p = NULL, *q;
	size_t n = 0, cap = 0, r;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			if ((q = realloc(p, cap + 1)) == NULL)
				break;
			p = q;
		}
		if ((r = fread(p + n, 1, cap - n, fp)) == 0)
			break;
		n += r;
	}
	fclose(fp);
	if (p != NULL)
		p[n] = '\0';
	*len = n;
	return p;
}

static char *
template_text(const char *file, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), GOLDEN "templates/%s", file);
	return slurp(path, len);
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* first differing byte, for the failure message */
static size_t
diffat(const char *a, const char *b)
{
	size_t i = 0;

	while (a[i] != '\0' && a[i] == b[i])
		i++;
	return i;
}

/* Renders one golden record; returns 1 if it matched. */
static int
run_case(const cJSON *r)
{
	const cJSON *msgs, *m, *v;
	lc_chat_msg ms[64];
	lc_chat_opts o;
	const char *name = str(r, "name"), *want = str(r, "expected");
	char *tmpl, *out = NULL;
	size_t n = 0, tlen;
	lc_err e;
	int rc, ok;

	memset(&o, 0, sizeof(o));
	memset(ms, 0, sizeof(ms));
	if ((tmpl = template_text(str(r, "template"), &tlen)) == NULL) {
		CHECK(0, "%s: template %s missing", name, str(r, "template"));
		return 0;
	}
	msgs = cJSON_GetObjectItemCaseSensitive(r, "messages");
	cJSON_ArrayForEach(m, msgs) {
		if (n == 64)
			break;
		ms[n].role = str(m, "role");
		ms[n].content = str(m, "content");
		ms[n].tool_calls_json = str(m, "tool_calls_json");
		ms[n].name = str(m, "name");
		n++;
	}
	o.add_generation_prompt = cJSON_IsTrue(
	    cJSON_GetObjectItemCaseSensitive(r, "add_generation_prompt"));
	o.tools_json = str(r, "tools_json");
	v = cJSON_GetObjectItemCaseSensitive(r, "enable_thinking");
	o.enable_thinking = v == NULL ? -1 : cJSON_IsTrue(v);
	o.bos = str(r, "bos_token");
	o.eos = str(r, "eos_token");
	o.date_string = str(r, "date_string");
	rc = lc_chat_render(tmpl, tlen, NULL, ms, n, &o, &out, &e);
	if (want != NULL) {
		ok = rc == LC_OK && strcmp(out, want) == 0;
		CHECK(rc == LC_OK, "%s: rc %d: %s", name, rc,
		    rc ? e.msg : "");
		if (rc == LC_OK)
			CHECK(ok, "%s: differs at byte %zu:\n--- got\n%s\n"
			    "--- want\n%s", name, diffat(out, want), out, want);
	} else {
		ok = rc == LC_EINVAL;
		CHECK(ok, "%s: rc %d, want LC_EINVAL (Jinja: %s)", name, rc,
		    str(r, "error"));
	}
	free(out);
	free(tmpl);
	return ok;
}

static void
run_goldens(void)
{
	static const char *const fams[] = {
		"chatml", "qwen2", "qwen3", "llama3", "gemma", "phi3",
		"gemma4"
	};
	char path[256], *text, *line, *nl;
	cJSON *r;
	size_t f, len, ncase, npass;

	for (f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
		snprintf(path, sizeof(path), GOLDEN "%s.jsonl", fams[f]);
		text = slurp(path, &len);
		CHECK(text != NULL, "%s: missing (run from the repository "
		    "root)", path);
		if (text == NULL)
			continue;
		ncase = npass = 0;
		for (line = text; *line != '\0'; line = nl + 1) {
			if ((nl = strchr(line, '\n')) == NULL)
				nl = line + strlen(line) - 1;
			else
				*nl = '\0';
			if (*line == '\0')
				continue;
			r = cJSON_Parse(line);
			CHECK(r != NULL, "%s: line %zu: bad JSON", path,
			    ncase + 1);
			if (r != NULL) {
				npass += run_case(r);
				cJSON_Delete(r);
			}
			ncase++;
		}
		CHECK(ncase >= 20, "%s: only %zu cases", path, ncase);
		printf("# %s: %zu/%zu cases match\n", fams[f], npass, ncase);
		free(text);
	}
}

static int
render(const char *tmpl, const char *family, const lc_chat_msg *m, size_t n,
    const lc_chat_opts *o, char **out, lc_err *e)
{
	return lc_chat_render(tmpl, tmpl ? strlen(tmpl) : 0, family, m, n, o,
	    out, e);
}

static void
test_refusals(void)
{
	static const lc_chat_msg hello[] = { { "user", "Hello", NULL, NULL } };
	static const lc_chat_msg twice[] = {
		{ "user", "a", NULL, NULL }, { "user", "b", NULL, NULL }
	};
	char *t, *t2, *out = NULL, *p;
	size_t len;
	lc_err e;
	int rc;

	CHECK(strcmp(lc_chat_families(),
	    "chatml, qwen2, qwen3, llama3, gemma, phi3") == 0,
	    "families: %s", lc_chat_families());

	/* unknown template: the message names the family and the list */
	rc = render("{% for m in messages %}{{ m.content }}{% endfor %}",
	    NULL, hello, 1, NULL, &out, &e);
	CHECK(rc == LC_EUNSUP && out == NULL, "unknown: rc %d", rc);
	CHECK(rc == LC_EUNSUP && strstr(e.msg, "family unknown") != NULL &&
	    strstr(e.msg, lc_chat_families()) != NULL, "unknown: %s", e.msg);
	rc = render("{{ bos_token }}[INST] {{ m }} [/INST]", NULL, hello, 1,
	    NULL, &out, &e);
	CHECK(rc == LC_EUNSUP && strstr(e.msg, "family mistral") != NULL,
	    "mistral: rc %d %s", rc, e.msg);

	/* a known family whose text differs is refused, not approximated */
	if ((t = template_text("Qwen-Qwen2.5-7B-Instruct.jinja", &len))
	    != NULL) {
		p = strstr(t, "'\\n' + message.content");
		CHECK(p != NULL, "qwen2 mutation point");
		if (p != NULL) {
			p[2] = 't';	/* '\n' -> '\t' */
			rc = lc_chat_render(t, len, NULL, hello, 1, NULL, &out,
			    &e);
			CHECK(rc == LC_EUNSUP &&
			    strstr(e.msg, "family qwen2") != NULL &&
			    strstr(e.msg, lc_chat_families()) != NULL,
			    "qwen2 variant: rc %d %s", rc, e.msg);
		}
		free(t);
	} else
		CHECK(0, "qwen2 template missing");
	if ((t = template_text("HuggingFaceTB-SmolLM2-135M-Instruct.jinja",
	    &len)) != NULL) {
		/* the default prompt must be a plain literal */
		p = strstr(t, "named SmolLM");
		if (p != NULL) {
			p[5] = '{';
			rc = lc_chat_render(t, len, NULL, hello, 1, NULL, &out,
			    &e);
			CHECK(rc == LC_EUNSUP && strstr(e.msg, "family chatml"),
			    "smollm2 odd default: rc %d %s", rc, e.msg);
			p[5] = ' ';
		}
		/* a text change outside tags */
		if ((t2 = malloc(len + 2)) != NULL) {
			memcpy(t2, t, len);
			memcpy(t2 + len, "x", 2);
			rc = lc_chat_render(t2, len + 1, NULL, hello, 1, NULL,
			    &out, &e);
			CHECK(rc == LC_EUNSUP, "smollm2 + text: rc %d", rc);
			/* whitespace inside a tag does not matter */
			p = strstr(t, "{{'<|im_start|>' +");
			CHECK(p != NULL, "smollm2 spacing point");
			if (p != NULL) {
				memcpy(t2, t, (size_t)(p - t) + 2);
				t2[p - t + 2] = ' ';
				memcpy(t2 + (p - t) + 3, p + 2,
				    len - (size_t)(p - t) - 2 + 1);
				rc = lc_chat_render(t2, len + 1, NULL, hello, 1,
				    NULL, &out, &e);
				CHECK(rc == LC_OK && strstr(out, "SmolLM") &&
				    strstr(out, "<|im_start|>user\nHello"),
				    "smollm2 spaced: rc %d", rc);
				free(out);
				out = NULL;
			}
			free(t2);
		}
		free(t);
	} else
		CHECK(0, "smollm2 template missing");

	/* gemma: roles must alternate */
	rc = render(NULL, "gemma", twice, 2, NULL, &out, &e);
	CHECK(rc == LC_EINVAL && strstr(e.msg, "alternate") != NULL,
	    "gemma alternation: rc %d %s", rc, e.msg);
	rc = render(NULL, "gemma2", hello, 1, NULL, &out, &e);
	CHECK(rc == LC_OK && strcmp(out, "<start_of_turn>user\nHello"
	    "<end_of_turn>\n<start_of_turn>model\n") == 0, "gemma2 by name");
	free(out);
	out = NULL;
	/* gemma4: by name; tools and tool calls are not rendered */
	rc = render(NULL, "gemma4", hello, 1, NULL, &out, &e);
	CHECK(rc == LC_OK && strcmp(out, "<|turn>user\nHello<turn|>\n"
	    "<|turn>model\n<|channel>thought\n<channel|>") == 0,
	    "gemma4 by name: rc %d", rc);
	free(out);
	out = NULL;
	{
		lc_chat_opts o = { 1, "[{\"type\": \"function\"}]", -1,
		    NULL, NULL, NULL };
		lc_chat_msg call[2] = { { "user", "Hi", NULL, NULL },
		    { "assistant", NULL, "[{\"function\": {\"name\": "
		    "\"f\"}}]", NULL } };

		rc = render(NULL, "gemma4", hello, 1, &o, &out, &e);
		CHECK(rc == LC_EUNSUP && strstr(e.msg, "tools") != NULL,
		    "gemma4 tools: rc %d %s", rc, e.msg);
		rc = render(NULL, "gemma4", call, 2, NULL, &out, &e);
		CHECK(rc == LC_EUNSUP && strstr(e.msg, "tool calls") != NULL,
		    "gemma4 tool calls: rc %d %s", rc, e.msg);
		CHECK(strcmp(lc_chat_family("<|turn>user\n<turn|>", 19),
		    "gemma") == 0, "gemma4 family");
	}
	rc = render(NULL, "vicuna", hello, 1, NULL, &out, &e);
	CHECK(rc == LC_EUNSUP && strstr(e.msg, "vicuna") &&
	    strstr(e.msg, lc_chat_families()), "by name: rc %d", rc);
}

static void
test_options(void)
{
	static const lc_chat_msg hello[] = { { "user", "Hello", NULL, NULL } };
	static const lc_chat_msg bad[] = { { "user", "\xc3(", NULL, NULL } };
	static const lc_chat_msg badcall[] = {
		{ "user", "Hi", NULL, NULL },
		{ "assistant", NULL, "[{\"function\": ", NULL }
	};
	lc_chat_opts o = { 1, NULL, -1, "<|begin_of_text|>", NULL, NULL };
	char *out = NULL, want[64];
	const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;
	lc_err e;
	int rc;

	/* family names render the reference templates */
	rc = render(NULL, "chatml", hello, 1, NULL, &out, &e);
	CHECK(rc == LC_OK && strcmp(out, "<|im_start|>user\nHello<|im_end|>\n"
	    "<|im_start|>assistant\n") == 0, "chatml by name: %d", rc);
	free(out);
	rc = render(NULL, "qwen3", hello, 1, &(lc_chat_opts){ 1, NULL, 0,
	    NULL, NULL, NULL }, &out, &e);
	CHECK(rc == LC_OK && strcmp(out, "<|im_start|>user\nHello<|im_end|>\n"
	    "<|im_start|>assistant\n<think>\n\n</think>\n\n") == 0,
	    "qwen3 thinking off: %d", rc);
	free(out);

	/* llama3.2 prints today's date unless told otherwise */
	localtime_r(&now, &tm);
	snprintf(want, sizeof(want), "Today Date: %02d %s %04d\n",
	    tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900);
	rc = render(NULL, "llama3.2", hello, 1, &o, &out, &e);
	CHECK(rc == LC_OK && strstr(out, want) != NULL, "llama3.2 date: %s",
	    rc == LC_OK ? out : e.msg);
	free(out);
	rc = render(NULL, "llama3", hello, 1, &o, &out, &e);
	CHECK(rc == LC_OK && strstr(out, "Today Date: 26 Jul 2024\n") &&
	    strncmp(out, "<|begin_of_text|>", 17) == 0, "llama3.1 date");
	free(out);
	out = NULL;

	/* bad input */
	rc = render(NULL, "chatml", bad, 1, NULL, &out, &e);
	CHECK(rc == LC_EINVAL && out == NULL, "bad utf-8: rc %d", rc);
	rc = render(NULL, "qwen2", badcall, 2, NULL, &out, &e);
	CHECK(rc == LC_EFORMAT && strstr(e.msg, "message 1"),
	    "bad tool_calls_json: rc %d %s", rc, e.msg);
	o.tools_json = "{\"type\": \"function\"}";
	rc = render(NULL, "qwen2", hello, 1, &o, &out, &e);
	CHECK(rc == LC_EFORMAT, "tools not an array: rc %d", rc);
	o.tools_json = "[1e999999999999999999999]";
	rc = render(NULL, "qwen2", hello, 1, &o, &out, &e);
	CHECK(rc == LC_EFORMAT, "tools of numbers: rc %d", rc);
	o.tools_json = NULL;
	o.enable_thinking = 2;
	rc = render(NULL, "qwen3", hello, 1, &o, &out, &e);
	CHECK(rc == LC_EINVAL, "enable_thinking 2: rc %d", rc);
	rc = render(NULL, NULL, hello, 1, NULL, &out, &e);
	CHECK(rc == LC_EINVAL, "no template: rc %d", rc);
}

int
main(void)
{
	size_t i;
	const char *f;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		f = lc_chat_family(cases[i].tmpl, strlen(cases[i].tmpl));
		CHECK(strcmp(f, cases[i].family) == 0, "case %zu: %s, want %s",
		    i, f, cases[i].family);
	}
	/* the length bounds the search: no match past n */
	CHECK(strcmp(lc_chat_family("<start_of_turn>", 5), "unknown") == 0,
	    "search stops at n");
	run_goldens();
	test_refusals();
	test_options();
	return DONE("t_chat");
}
