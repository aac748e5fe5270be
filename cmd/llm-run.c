/*
 * llm-run - generate text with a local model: a prompt in, the answer
 * out; or a JSONL filter over native requests, OpenAI chat bodies and
 * OpenAI Batch API lines.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../libcore/chat.h"
#include "../libcore/dtype.h"
#include "../libcore/jsonw.h"
#include "../libcore/model.h"
#include "../libcore/resolve.h"
#include "../libcore/sample.h"
#include "../libcore/tok/tok.h"
#include "util.h"

#define MAX_STOP	8
#define MAX_LINE	(64u << 20)

typedef struct params {
	lc_sample_params s;
	int		 max_tokens;
	const char	*stop[MAX_STOP];
	int		 nstop;
} params;

typedef struct result {
	char		*text;		/* malloc'ed */
	size_t		 len, cap;
	const char	*finish;	/* "stop" or "length" */
	int		 n_prompt, n_gen;
	int		 n_cached;	/* prompt tokens whose KV was reused */
	double		 prompt_ms, gen_ms;
} result;

static struct {
	const char	*model, *system, *tmpl_family, *resume;
	int		 raw, raw_input, jsonl, stream, truncate, fail_fast;
	int		 quiet, threads;
	const char	*device;
	uint32_t	 ctx, kv_dtype;
	params		 p;
} opt;

static lc_backend *be;
static lc_model *model;
static lc_tok *tok;
static const char *tmpl;
static size_t tmpl_len;
static int32_t *ids;
static size_t nids, capids;
/* the tokens whose keys and values are in the cache, cells 0.. in order:
   a request that starts with them (a shared system prompt, a chat that
   goes on) evaluates only the rest; results are the same bit for bit */
static int32_t *kv_ids;
static size_t kv_n, kv_cap;
static float *logits;
static lc_jw jw;
static long nreq;

/* --resume: keys of the requests already answered, sorted */
static char **done_keys;
static size_t ndone;

static int
cmpkey(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "c:" + custom_id or "i:" + id, as compact JSON; NULL if none */
static char *
request_key(const cJSON *id, const cJSON *cid)
{
	const cJSON *k = cid ? cid : id;
	char *j, *key;

	if (k == NULL || (j = cJSON_PrintUnformatted(k)) == NULL)
		return NULL;
	if ((key = malloc(strlen(j) + 3)) != NULL)
		sprintf(key, "%c:%s", cid ? 'c' : 'i', j);
	free(j);
	return key;
}

static int
answered(const cJSON *id, const cJSON *cid)
{
	char *key = request_key(id, cid);
	int found;

	if (key == NULL || ndone == 0) {
		free(key);
		return 0;
	}
	found = bsearch(&key, done_keys, ndone, sizeof(*done_keys),
	    cmpkey) != NULL;
	free(key);
	return found;
}

/*
 * Reads the results of an earlier run: every record that is a success
 * (no "error", or "error": null) marks its id or custom_id as answered.
 * A last line cut short by a crash is removed from the file, so that
 * appending to it again gives whole lines.
 */
static void
load_resume(const char *path)
{
	char *text, *line, *nl;
	const cJSON *err, *kind;
	size_t len, cap = 0;
	cJSON *r;
	lc_err e;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return;		/* nothing answered yet */
		die("--resume %s:", path);
	}
	fclose(fp);
	if (lc_slurp(path, (size_t)1 << 34, &text, &len, &e) != LC_OK)
		die_err(&e);
	if (len > 0 && text[len - 1] != '\n') {
		nl = strrchr(text, '\n');
		len = nl ? (size_t)(nl - text) + 1 : 0;
		if (truncate(path, (off_t)len) != 0)
			die("--resume %s: cannot cut its partial last line:", path);
		text[len] = '\0';
		if (!opt.quiet)
			warn("--resume %s: removed a partial last line", path);
	}
	for (line = text; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		if ((r = cJSON_Parse(line)) == NULL)
			continue;
		err = cJSON_GetObjectItemCaseSensitive(r, "error");
		kind = cJSON_GetObjectItemCaseSensitive(r, "kind");
		if ((err == NULL || cJSON_IsNull(err)) && !(cJSON_IsString(kind) &&
		    strcmp(kind->valuestring, "token") == 0)) {
			char *key = request_key(
			    cJSON_GetObjectItemCaseSensitive(r, "id"),
			    cJSON_GetObjectItemCaseSensitive(r, "custom_id"));
			if (key != NULL) {
				if (ndone == cap) {
					cap = cap ? cap * 2 : 1024;
					if ((done_keys = realloc(done_keys, cap *
					    sizeof(*done_keys))) == NULL)
						die("out of memory");
				}
				done_keys[ndone++] = key;
			}
		}
		cJSON_Delete(r);
	}
	free(text);
	qsort(done_keys, ndone, sizeof(*done_keys), cmpkey);
}

static void
usage(FILE *fp, int status)
{
	fprintf(fp, "usage: %s -m model [-Rq] [--jsonl] [--stream] [--raw] "
	    "[-s system] [-n max] [-t threads] [-d device] [-c ctx] [--temp t] [--seed n] "
	    "[--stop s] [prompt ...]\n", argv0);
	if (status == 0)
		fputs("\n"
		    "  With a prompt (arguments, or standard input as text) the answer\n"
		    "  is streamed to standard output.  JSONL input (--jsonl, or a first\n"
		    "  line starting with '{') is a filter: one record out per line in.\n\n"
		    "  -m, --model MODEL    GGUF file, directory with one, ollama:NAME[:TAG],\n"
		    "                       hf:ORG/NAME (Hugging Face cache), or a name\n"
		    "                       in $LLM_MODELS (env LLM_MODEL)\n"
		    "  -s, --system TEXT    system message\n"
		    "      --raw            no chat template: the prompt is the text\n"
		    "      --template NAME  chat template family to use instead of the\n"
		    "                       model's (chatml, qwen2, qwen3, llama3, gemma, phi3)\n"
		    "  -n, --max-tokens N   tokens to generate at most (default 256)\n"
		    "      --temp T         temperature; 0 is greedy (default 0.8)\n"
		    "      --top-k N        (default 40)   --top-p P (0.95)   --min-p P (0.05)\n"
		    "      --repeat-penalty P  --presence-penalty P  --frequency-penalty P\n"
		    "      --seed N         sampling seed (default 0)\n"
		    "      --stop TEXT      stop before TEXT (up to 8 times)\n"
		    "  -c, --ctx N          context length (default: trained, at most 4096)\n"
		    "  -k, --kv-type T      KV cache type: f16 (default), f32, q8_0\n"
		    "  -t, --threads N      threads (default: one per core)\n"
		    "  -d, --device D       cpu (default), vulkan or vulkan:N (env LLM_DEVICE)\n"
		    "  -R, --raw-input      each input line is a prompt (JSONL out)\n"
		    "      --jsonl          input is JSONL requests\n"
		    "      --stream         token events, then a done record\n"
		    "      --truncate       drop the start of prompts too long for the context\n"
		    "      --fail-fast      stop at the first failed record\n"
		    "      --resume FILE    skip the requests FILE already answers (by id\n"
		    "                       or custom_id); use with >> FILE\n"
		    "  -q, --quiet          no diagnostics but errors\n"
		    "  -h, --help           this help\n"
		    "  -V, --version        version\n", fp);
	exit(status);
}

/* ------------------------------------------------------------------ */
/* generation                                                         */

static int
append(result *r, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (r->len + n + 1 > r->cap) {
		cap = r->cap ? r->cap * 2 : 256;
		while (cap < r->len + n + 1)
			cap *= 2;
		if ((p = realloc(r->text, cap)) == NULL)
			return -1;
		r->text = p;
		r->cap = cap;
	}
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
	return 0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Where the first stop string starts in r->text[from..], or -1. */
static long
find_stop(const result *r, const params *p, size_t from)
{
	long best = -1;
	int i;
	char *s;

	for (i = 0; i < p->nstop; i++) {
		if ((s = strstr(r->text + from, p->stop[i])) != NULL &&
		    (best < 0 || s - r->text < best))
			best = s - r->text;
	}
	return best;
}

typedef void (*emit_fn)(const char *s, size_t n, int pos, void *arg);

/*
 * Generates from text (already rendered) with params p into r.  emit,
 * if not NULL, receives the answer as it grows, never text that a stop
 * string may still take back.  LC_EINVAL with stage "context" when the
 * prompt does not fit.
 */
static int
generate(const char *text, size_t len, const params *p, result *r,
    emit_fn emit, void *arg, const char **stage, lc_err *e)
{
	const lc_hparams *hp = lc_model_hparams(model);
	uint32_t n_ctx = lc_model_n_ctx(model);
	size_t maxstop = 0, emitted = 0, safe, i;
	char piece[512];
	lc_tok_dec dec;
	lc_sampler *smp;
	int32_t id;
	long stop;
	double t0;
	int rc, n, pos;

	memset(r, 0, sizeof(*r));
	*stage = "tokenize";
	nids = 0;
	if ((rc = lc_tok_encode(tok, text, len, 1, 1, &ids, &nids,
	    &capids, e)) != LC_OK)
		return rc;
	*stage = "context";
	if (nids == 0)
		return lc_errf(e, LC_EINVAL, "the prompt is empty");
	if (nids + 1 > n_ctx) {
		if (!opt.truncate)
			return lc_errf(e, LC_EINVAL, "prompt of %zu tokens does "
			    "not fit the context of %u (--truncate drops its "
			    "start)", nids, n_ctx);
		memmove(ids, ids + (nids - n_ctx / 2), n_ctx / 2 *
		    sizeof(*ids));
		nids = n_ctx / 2;
	}
	*stage = "sample";
	if ((rc = lc_sampler_new(&smp, &p->s, hp->n_vocab, e)) != LC_OK)
		return rc;
	for (i = 0; i < (size_t)p->nstop; i++)
		if (strlen(p->stop[i]) > maxstop)
			maxstop = strlen(p->stop[i]);
	for (i = 0; i < nids; i++)
		lc_sampler_accept(smp, ids[i]);
	*stage = "model";
	/* reuse the cached prefix, but evaluate at least the last token */
	for (i = 0; i < kv_n && i + 1 < nids && kv_ids[i] == ids[i]; i++)
		;
	if (i > 0 && !lc_model_can_reuse(model, (int32_t)kv_n, (int32_t)i))
		i = 0;
	r->n_cached = (int)i;
	if (kv_cap < n_ctx) {
		int32_t *nk = realloc(kv_ids, n_ctx * sizeof(*kv_ids));
		if (nk == NULL) {
			rc = lc_errf(e, LC_ENOMEM, "token cache");
			goto out;
		}
		kv_ids = nk;
		kv_cap = n_ctx;
	}
	kv_n = i;
	if (i == 0)
		lc_model_reset(model);
	t0 = now_ms();
	if ((rc = lc_model_eval(model, ids + i, (int)(nids - i), (int32_t)i, 0,
	    logits, e)) != LC_OK)
		goto out;
	memcpy(kv_ids + i, ids + i, (nids - i) * sizeof(*ids));
	kv_n = nids;
	r->prompt_ms = now_ms() - t0;
	r->n_prompt = (int)nids;
	t0 = now_ms();
	lc_tok_dec_init(&dec, 0);
	r->finish = "length";
	for (pos = (int)nids; r->n_gen < p->max_tokens; pos++) {
		id = lc_sampler_sample(smp, logits);
		if (lc_tok_is_eog(tok, id)) {
			r->finish = "stop";
			break;
		}
		r->n_gen++;
		lc_sampler_accept(smp, id);
		n = (int)lc_tok_dec_push(&dec, tok, id, piece, sizeof(piece));
		if (n > (int)sizeof(piece))
			n = 0;
		if (append(r, piece, (size_t)n) != 0) {
			rc = lc_errf(e, LC_ENOMEM, "answer text");
			goto out;
		}
		stop = find_stop(r, p, emitted > maxstop ? emitted - maxstop :
		    0);
		if (stop >= 0) {
			r->len = (size_t)stop;
			r->text[stop] = '\0';
			r->finish = "stop";
			break;
		}
		/* hold back what a stop string might still claim */
		safe = r->len > maxstop ? r->len - (maxstop ? maxstop - 1 : 0) :
		    0;
		while (safe > emitted && safe < r->len &&
		    ((unsigned char)r->text[safe] & 0xc0) == 0x80)
			safe--;
		if (emit != NULL && safe > emitted) {
			emit(r->text + emitted, safe - emitted, pos, arg);
			emitted = safe;
		}
		if ((uint32_t)pos + 1 >= n_ctx) {
			r->finish = "length";
			break;
		}
		if ((rc = lc_model_eval(model, &id, 1, pos, 0, logits, e)) !=
		    LC_OK)
			goto out;
		kv_ids[kv_n++] = id;
	}
	n = (int)lc_tok_dec_flush(&dec, piece, sizeof(piece));
	if (n > 0 && strcmp(r->finish, "length") == 0)
		append(r, piece, (size_t)n);
	if (emit != NULL && r->len > emitted)
		emit(r->text + emitted, r->len - emitted, pos, arg);
	r->gen_ms = now_ms() - t0;
	rc = LC_OK;
out:
	lc_sampler_free(smp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* requests                                                           */

/* Renders messages with the chat template (or joins them for --raw). */
static int
render(const lc_chat_msg *msgs, size_t n, const char *tools, char **out,
    const char **stage, lc_err *e)
{
	lc_chat_opts co = { .add_generation_prompt = 1, .tools_json = tools,
	    .enable_thinking = -1 };
	size_t i, len = 0;
	char *p;

	*stage = "template";
	if (opt.raw) {
		for (i = 0; i < n; i++)
			len += strlen(msgs[i].content ? msgs[i].content : "") + 1;
		if ((p = *out = malloc(len + 1)) == NULL)
			return lc_errf(e, LC_ENOMEM, "prompt");
		*p = '\0';
		for (i = 0; i < n; i++) {
			if (i > 0)
				strcat(p, "\n");
			strcat(p, msgs[i].content ? msgs[i].content : "");
		}
		return LC_OK;
	}
	if (tmpl == NULL && opt.tmpl_family == NULL)
		return lc_errf(e, LC_EUNSUP, "the model has no chat template: "
		    "give --template NAME (%s) or --raw", lc_chat_families());
	return lc_chat_render(tmpl, tmpl_len, opt.tmpl_family, msgs, n, &co,
	    out, e);
}

/* Request parameters from a JSON body over the command line's. */
static int
body_params(const cJSON *b, params *p, lc_err *e)
{
	const cJSON *j, *x;

	*p = opt.p;
#define NUM(key, field, lo, hi) \
	if ((j = cJSON_GetObjectItemCaseSensitive(b, key)) != NULL && \
	    !cJSON_IsNull(j)) { \
		if (!cJSON_IsNumber(j) || !(j->valuedouble >= (lo)) || \
		    !(j->valuedouble <= (hi))) \
			return lc_errf(e, LC_EINVAL, "\"%s\" must be a number in " \
			    "[%g, %g]", key, (double)(lo), (double)(hi)); \
		field = j->valuedouble; \
	}
	NUM("max_tokens", p->max_tokens, 0, 1 << 20);
	NUM("max_completion_tokens", p->max_tokens, 0, 1 << 20);
	NUM("temperature", p->s.temp, 0, 100);
	NUM("top_p", p->s.top_p, 0, 1);
	NUM("top_k", p->s.top_k, 0, 1 << 24);
	NUM("min_p", p->s.min_p, 0, 1);
	NUM("presence_penalty", p->s.presence_penalty, -2, 2);
	NUM("frequency_penalty", p->s.frequency_penalty, -2, 2);
	NUM("repeat_penalty", p->s.repeat_penalty, 0.01, 100);
	NUM("seed", p->s.seed, 0, 18446744073709551615.0);
#undef NUM
	if ((j = cJSON_GetObjectItemCaseSensitive(b, "stop")) != NULL &&
	    !cJSON_IsNull(j)) {
		p->nstop = 0;
		if (cJSON_IsString(j)) {
			p->stop[p->nstop++] = j->valuestring;
		} else if (cJSON_IsArray(j)) {
			cJSON_ArrayForEach(x, j) {
				if (!cJSON_IsString(x) || p->nstop == MAX_STOP)
					return lc_errf(e, LC_EINVAL, "\"stop\" "
					    "must be a string or up to %d "
					    "strings", MAX_STOP);
				p->stop[p->nstop++] = x->valuestring;
			}
		} else {
			return lc_errf(e, LC_EINVAL, "\"stop\" must be a string "
			    "or an array of strings");
		}
	}
	if (p->s.temp == 0)
		p->s.temp = -1;	/* greedy */
	return LC_OK;
}

/* messages[] of a JSON body into msgs (borrowing its strings). */
static int
body_messages(const cJSON *arr, lc_chat_msg *msgs, size_t max, size_t *n,
    char **texts, lc_err *e)
{
	const cJSON *m, *role, *content, *part, *tc;
	size_t k = 0;

	if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0)
		return lc_errf(e, LC_EINVAL, "\"messages\" must be a non-empty "
		    "array");
	cJSON_ArrayForEach(m, arr) {
		if (k == max)
			return lc_errf(e, LC_EINVAL, "more than %zu messages",
			    max);
		role = cJSON_GetObjectItemCaseSensitive(m, "role");
		content = cJSON_GetObjectItemCaseSensitive(m, "content");
		tc = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
		if (!cJSON_IsString(role))
			return lc_errf(e, LC_EINVAL, "message %zu: \"role\" "
			    "must be a string", k);
		msgs[k].role = strcmp(role->valuestring, "developer") == 0 ?
		    "system" : role->valuestring;
		msgs[k].content = NULL;
		msgs[k].name = NULL;
		msgs[k].tool_calls_json = tc ? (texts[k] =
		    cJSON_PrintUnformatted(tc)) : NULL;
		if (cJSON_IsString(content)) {
			msgs[k].content = content->valuestring;
		} else if (cJSON_IsArray(content)) {
			/* text parts only; the first one */
			cJSON_ArrayForEach(part, content) {
				const cJSON *t = cJSON_GetObjectItemCaseSensitive(
				    part, "text");
				if (cJSON_IsString(t)) {
					msgs[k].content = t->valuestring;
					break;
				}
			}
			if (msgs[k].content == NULL)
				return lc_errf(e, LC_EUNSUP, "message %zu: only "
				    "text content parts are supported", k);
		} else if (!cJSON_IsNull(content) && content != NULL) {
			return lc_errf(e, LC_EINVAL, "message %zu: \"content\" "
			    "must be a string, an array of parts or null", k);
		}
		k++;
	}
	*n = k;
	return LC_OK;
}

static void
jw_emit(void)
{
	if (jw.oom)
		die("out of memory writing a record");
	fwrite(jw.buf, 1, jw.len, stdout);
	fputc('\n', stdout);
	fflush(stdout);
	lc_jw_reset(&jw);
}

/* the chat.completion body of a result */
static void
completion_body(const result *r, const char *model_name)
{
	char id[48];

	snprintf(id, sizeof(id), "chatcmpl-%ld", nreq);
	lc_jw_obj(&jw);
	lc_jw_key(&jw, "id"); lc_jw_str(&jw, id);
	lc_jw_key(&jw, "object"); lc_jw_str(&jw, "chat.completion");
	lc_jw_key(&jw, "created"); lc_jw_i64(&jw, (int64_t)time(NULL));
	lc_jw_key(&jw, "model"); lc_jw_str(&jw, model_name);
	lc_jw_key(&jw, "choices"); lc_jw_arr(&jw); lc_jw_obj(&jw);
	lc_jw_key(&jw, "index"); lc_jw_i64(&jw, 0);
	lc_jw_key(&jw, "message"); lc_jw_obj(&jw);
	lc_jw_key(&jw, "role"); lc_jw_str(&jw, "assistant");
	lc_jw_key(&jw, "content"); lc_jw_strn(&jw, r->text ? r->text : "",
	    r->len);
	lc_jw_obj_end(&jw);
	lc_jw_key(&jw, "logprobs"); lc_jw_null(&jw);
	lc_jw_key(&jw, "finish_reason"); lc_jw_str(&jw, r->finish);
	lc_jw_obj_end(&jw); lc_jw_arr_end(&jw);
	lc_jw_key(&jw, "usage"); lc_jw_obj(&jw);
	lc_jw_key(&jw, "prompt_tokens"); lc_jw_i64(&jw, r->n_prompt);
	lc_jw_key(&jw, "completion_tokens"); lc_jw_i64(&jw, r->n_gen);
	lc_jw_key(&jw, "total_tokens"); lc_jw_i64(&jw, r->n_prompt + r->n_gen);
	lc_jw_obj_end(&jw);
	lc_jw_key(&jw, "system_fingerprint"); lc_jw_null(&jw);
	lc_jw_obj_end(&jw);
}

typedef struct streamctx {
	const cJSON	*id;
	long		 line;
} streamctx;

static void
emit_event(const char *s, size_t n, int pos, void *arg)
{
	streamctx *sc = arg;
	char *idj;

	lc_jw_obj(&jw);
	if (sc->id != NULL) {
		idj = cJSON_PrintUnformatted(sc->id);
		lc_jw_key(&jw, "id");
		lc_jw_raw(&jw, idj, strlen(idj));
		free(idj);
	} else {
		lc_jw_key(&jw, "line"); lc_jw_i64(&jw, sc->line);
	}
	lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "token");
	lc_jw_key(&jw, "pos"); lc_jw_i64(&jw, pos);
	lc_jw_key(&jw, "text"); lc_jw_strn(&jw, s, n);
	lc_jw_obj_end(&jw);
	jw_emit();
}

static void
error_record(long line, const cJSON *id, const cJSON *custom_id,
    const char *stage, const char *msg)
{
	char *txt;

	if (!opt.quiet)
		warn("<stdin>:%ld: %s: %s", line, stage, msg);
	lc_jw_obj(&jw);
	if (custom_id != NULL) {
		char rid[48];
		snprintf(rid, sizeof(rid), "batch_req_%ld", nreq);
		lc_jw_key(&jw, "id"); lc_jw_str(&jw, rid);
		txt = cJSON_PrintUnformatted(custom_id);
		lc_jw_key(&jw, "custom_id"); lc_jw_raw(&jw, txt, strlen(txt));
		free(txt);
		lc_jw_key(&jw, "response"); lc_jw_null(&jw);
		lc_jw_key(&jw, "error"); lc_jw_obj(&jw);
		lc_jw_key(&jw, "code"); lc_jw_str(&jw, stage);
		lc_jw_key(&jw, "message"); lc_jw_str(&jw, msg);
		lc_jw_obj_end(&jw);
		lc_jw_key(&jw, "line"); lc_jw_i64(&jw, line);
		lc_jw_obj_end(&jw);
		jw_emit();
		return;
	}
	if (id != NULL) {
		txt = cJSON_PrintUnformatted(id);
		lc_jw_key(&jw, "id"); lc_jw_raw(&jw, txt, strlen(txt));
		free(txt);
	}
	lc_jw_key(&jw, "line"); lc_jw_i64(&jw, line);
	lc_jw_key(&jw, "error"); lc_jw_obj(&jw);
	lc_jw_key(&jw, "stage"); lc_jw_str(&jw, stage);
	lc_jw_key(&jw, "message"); lc_jw_str(&jw, msg);
	lc_jw_obj_end(&jw);
	lc_jw_obj_end(&jw);
	jw_emit();
}

/* One JSONL request line; 0 ok, 1 failed (its error record written). */
static int
request(const char *line, size_t len, long lineno)
{
	static const char *const consumed[] = { "prompt", "messages", "id",
	    "max_tokens", "max_completion_tokens", "temperature", "top_p",
	    "top_k", "min_p", "presence_penalty", "frequency_penalty",
	    "repeat_penalty", "seed", "stop", "tools", "model", "stream" };
	lc_chat_msg msgs[256];
	char *texts[256] = { 0 }, *prompt = NULL, *tools = NULL;
	const cJSON *id = NULL, *cid = NULL, *body, *j, *x;
	const char *stage = "parse", *mname;
	cJSON *root;
	result r = { 0 };
	streamctx sc;
	params p;
	size_t n = 0, k;
	lc_err e = { 0 };
	int rc = LC_OK, openai = 0, batch = 0, isstr;

	nreq++;
	if ((root = cJSON_ParseWithLength(line, len)) == NULL) {
		error_record(lineno, NULL, NULL, "parse", "invalid JSON");
		return 1;
	}
	if (!cJSON_IsObject(root)) {
		error_record(lineno, NULL, NULL, "parse", "expected an object");
		cJSON_Delete(root);
		return 1;
	}
	body = root;
	id = cJSON_GetObjectItemCaseSensitive(root, "id");
	if (opt.resume != NULL && answered(id, cJSON_GetObjectItemCaseSensitive(
	    root, "custom_id"))) {
		cJSON_Delete(root);
		return 0;
	}
	if ((cid = cJSON_GetObjectItemCaseSensitive(root, "custom_id")) != NULL) {
		batch = 1;
		body = cJSON_GetObjectItemCaseSensitive(root, "body");
		j = cJSON_GetObjectItemCaseSensitive(root, "url");
		if (!cJSON_IsObject(body)) {
			rc = lc_errf(&e, LC_EINVAL, "batch line without an "
			    "object \"body\"");
			goto out;
		}
		if (!cJSON_IsString(j) || (strcmp(j->valuestring,
		    "/v1/chat/completions") != 0 && strcmp(j->valuestring,
		    "/chat/completions") != 0)) {
			rc = lc_errf(&e, LC_EUNSUP, "url must be "
			    "/v1/chat/completions");
			goto out;
		}
	}
	if ((rc = body_params(body, &p, &e)) != LC_OK)
		goto out;
	if ((j = cJSON_GetObjectItemCaseSensitive(body, "tools")) != NULL &&
	    !cJSON_IsNull(j))
		tools = cJSON_PrintUnformatted(j);
	if ((j = cJSON_GetObjectItemCaseSensitive(body, "messages")) != NULL) {
		openai = !batch && cJSON_GetObjectItemCaseSensitive(body,
		    "model") != NULL;
		if ((rc = body_messages(j, msgs, 256, &n, texts, &e)) != LC_OK)
			goto out;
		if ((rc = render(msgs, n, tools, &prompt, &stage, &e)) != LC_OK)
			goto out;
	} else if ((j = cJSON_GetObjectItemCaseSensitive(body, "prompt")) !=
	    NULL && cJSON_IsString(j)) {
		msgs[0].role = "user";
		msgs[0].content = j->valuestring;
		msgs[0].tool_calls_json = msgs[0].name = NULL;
		n = 1;
		if (opt.system != NULL && !opt.raw) {
			msgs[1] = msgs[0];
			msgs[0].role = "system";
			msgs[0].content = opt.system;
			n = 2;
		}
		if ((rc = render(msgs, n, tools, &prompt, &stage, &e)) != LC_OK)
			goto out;
	} else {
		rc = lc_errf(&e, LC_EINVAL, "a request needs \"prompt\" (a "
		    "string) or \"messages\"");
		goto out;
	}
	sc.id = id;
	sc.line = lineno;
	if ((rc = generate(prompt, strlen(prompt), &p, &r, opt.stream &&
	    !batch && !openai ? emit_event : NULL, &sc, &stage, &e)) != LC_OK)
		goto out;
	mname = strrchr(opt.model, '/') ? strrchr(opt.model, '/') + 1 :
	    opt.model;
	if ((j = cJSON_GetObjectItemCaseSensitive(body, "model")) != NULL &&
	    cJSON_IsString(j))
		mname = j->valuestring;
	if (batch) {
		char rid[48], *txt = cJSON_PrintUnformatted(cid);
		lc_jw_obj(&jw);
		snprintf(rid, sizeof(rid), "batch_req_%ld", nreq);
		lc_jw_key(&jw, "id"); lc_jw_str(&jw, rid);
		lc_jw_key(&jw, "custom_id"); lc_jw_raw(&jw, txt, strlen(txt));
		free(txt);
		lc_jw_key(&jw, "response"); lc_jw_obj(&jw);
		lc_jw_key(&jw, "status_code"); lc_jw_i64(&jw, 200);
		snprintf(rid, sizeof(rid), "req_%ld", nreq);
		lc_jw_key(&jw, "request_id"); lc_jw_str(&jw, rid);
		lc_jw_key(&jw, "body");
		completion_body(&r, mname);
		lc_jw_obj_end(&jw);
		lc_jw_key(&jw, "error"); lc_jw_null(&jw);
		lc_jw_obj_end(&jw);
	} else if (openai) {
		completion_body(&r, mname);
	} else {
		/* native: the fields we did not consume, then the result */
		lc_jw_obj(&jw);
		if (id != NULL) {
			char *txt = cJSON_PrintUnformatted(id);
			lc_jw_key(&jw, "id"); lc_jw_raw(&jw, txt, strlen(txt));
			free(txt);
		}
		cJSON_ArrayForEach(x, root) {
			for (k = 0, isstr = 0; k < sizeof(consumed) /
			    sizeof(consumed[0]); k++)
				isstr |= strcmp(x->string, consumed[k]) == 0;
			if (isstr)
				continue;
			char *txt = cJSON_PrintUnformatted(x);
			lc_jw_key(&jw, x->string);
			lc_jw_raw(&jw, txt, strlen(txt));
			free(txt);
		}
		if (opt.stream) {
			lc_jw_key(&jw, "kind"); lc_jw_str(&jw, "done");
		}
		lc_jw_key(&jw, "text"); lc_jw_strn(&jw, r.text ? r.text : "",
		    r.len);
		lc_jw_key(&jw, "finish_reason"); lc_jw_str(&jw, r.finish);
		lc_jw_key(&jw, "usage"); lc_jw_obj(&jw);
		lc_jw_key(&jw, "prompt_tokens"); lc_jw_i64(&jw, r.n_prompt);
		lc_jw_key(&jw, "completion_tokens"); lc_jw_i64(&jw, r.n_gen);
		lc_jw_obj_end(&jw);
		lc_jw_key(&jw, "timings"); lc_jw_obj(&jw);
		lc_jw_key(&jw, "cached_tokens"); lc_jw_i64(&jw, r.n_cached);
		lc_jw_key(&jw, "prompt_ms"); lc_jw_fix(&jw, r.prompt_ms, 1);
		lc_jw_key(&jw, "gen_ms"); lc_jw_fix(&jw, r.gen_ms, 1);
		lc_jw_key(&jw, "gen_tok_s"); lc_jw_fix(&jw, r.gen_ms > 0 ?
		    r.n_gen * 1e3 / r.gen_ms : 0, 1);
		lc_jw_obj_end(&jw);
		lc_jw_obj_end(&jw);
	}
	jw_emit();
out:
	if (rc != LC_OK)
		error_record(lineno, id, cid, stage, e.msg);
	for (k = 0; k < 256; k++)
		free(texts[k]);
	free(prompt);
	free(tools);
	free(r.text);
	cJSON_Delete(root);
	return rc != LC_OK;
}

/* ------------------------------------------------------------------ */
/* plain text                                                         */

static void
emit_text(const char *s, size_t n, int pos, void *arg)
{
	(void)pos;
	(void)arg;
	fwrite(s, 1, n, stdout);
	fflush(stdout);
}

static int
plain(const char *text)
{
	lc_chat_msg msgs[2] = { { 0 } };
	const char *stage;
	char *prompt = NULL;
	result r;
	lc_err e;
	size_t n = 0;
	int rc;

	if (opt.system != NULL) {
		msgs[n].role = "system";
		msgs[n++].content = opt.system;
	}
	msgs[n].role = "user";
	msgs[n++].content = text;
	if (opt.raw) {
		if ((prompt = strdup(text)) == NULL)
			die("out of memory");
	} else if ((rc = render(msgs, n, NULL, &prompt, &stage, &e)) != LC_OK) {
		warn("%s: %s", stage, e.msg);
		return 1;
	}
	rc = generate(prompt, strlen(prompt), &opt.p, &r, emit_text, NULL,
	    &stage, &e);
	free(prompt);
	if (rc != LC_OK) {
		warn("%s: %s", stage, e.msg);
		free(r.text);
		return 1;
	}
	fputc('\n', stdout);
	if (!opt.quiet)
		fprintf(stderr, "%s: %d prompt tokens in %.0f ms, %d generated "
		    "in %.0f ms (%.1f tok/s), %s\n", argv0, r.n_prompt,
		    r.prompt_ms, r.n_gen, r.gen_ms, r.gen_ms > 0 ?
		    r.n_gen * 1e3 / r.gen_ms : 0, r.finish);
	free(r.text);
	return 0;
}

/* Reads a line of any length; NULL at EOF. */
static char *
getline_any(FILE *fp, size_t *len)
{
	static char *buf;
	static size_t cap;
	ssize_t n;

	if ((n = getline(&buf, &cap, fp)) < 0)
		return NULL;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	*len = (size_t)n;
	return buf;
}

int
main(int argc, char *argv[])
{
	enum { O_RAW = 256, O_TEMPLATE, O_TEMP, O_TOPK, O_TOPP, O_MINP,
	    O_REP, O_PRES, O_FREQ, O_SEED, O_STOP, O_JSONL, O_STREAM,
	    O_TRUNC, O_FAILFAST, O_RESUME };
	static const struct option longopts[] = {
		{ "model", required_argument, NULL, 'm' },
		{ "system", required_argument, NULL, 's' },
		{ "raw", no_argument, NULL, O_RAW },
		{ "template", required_argument, NULL, O_TEMPLATE },
		{ "max-tokens", required_argument, NULL, 'n' },
		{ "temp", required_argument, NULL, O_TEMP },
		{ "top-k", required_argument, NULL, O_TOPK },
		{ "top-p", required_argument, NULL, O_TOPP },
		{ "min-p", required_argument, NULL, O_MINP },
		{ "repeat-penalty", required_argument, NULL, O_REP },
		{ "presence-penalty", required_argument, NULL, O_PRES },
		{ "frequency-penalty", required_argument, NULL, O_FREQ },
		{ "seed", required_argument, NULL, O_SEED },
		{ "stop", required_argument, NULL, O_STOP },
		{ "ctx", required_argument, NULL, 'c' },
		{ "kv-type", required_argument, NULL, 'k' },
		{ "threads", required_argument, NULL, 't' },
		{ "device", required_argument, NULL, 'd' },
		{ "raw-input", no_argument, NULL, 'R' },
		{ "jsonl", no_argument, NULL, O_JSONL },
		{ "stream", no_argument, NULL, O_STREAM },
		{ "truncate", no_argument, NULL, O_TRUNC },
		{ "fail-fast", no_argument, NULL, O_FAILFAST },
		{ "resume", required_argument, NULL, O_RESUME },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	lc_model_opts mo = { 0 };
	char mpath[4096];
	lc_gguf_kv kv;
	const char *s;
	char *text, *line;
	size_t len;
	long lineno = 0, lead = 0;
	lc_err e;
	int ch, ret = 0, c;
	double d;

	argv0 = "llm-run";
	argv[0] = (char *)argv0;	/* getopt's messages name it */
	setvbuf(stdout, NULL, _IOLBF, 0);
	opt.p.s = lc_sample_defaults;
	opt.p.max_tokens = 256;
	opt.kv_dtype = LC_F16;
	opt.model = getenv("LLM_MODEL");
#define FNUM(lo, hi, name) (d = strtod(optarg, &text), \
	(*optarg == '\0' || *text != '\0' || !(d >= (lo) && d <= (hi))) ? \
	(dien(2, "%s: '%s' is not a number in [%g, %g]", name, optarg, \
	(double)(lo), (double)(hi)), 0.0) : d)
	while ((ch = getopt_long(argc, argv, "m:s:n:c:k:t:d:RqhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'm': opt.model = optarg; break;
		case 's': opt.system = optarg; break;
		case O_RAW: opt.raw = 1; break;
		case O_TEMPLATE: opt.tmpl_family = optarg; break;
		case 'n':
			opt.p.max_tokens = (int)estrtonum(optarg, 0, 1 << 20,
			    "--max-tokens");
			break;
		case O_TEMP: opt.p.s.temp = (float)FNUM(0, 100, "--temp"); break;
		case O_TOPK:
			opt.p.s.top_k = (int)estrtonum(optarg, 0, 1 << 24,
			    "--top-k");
			break;
		case O_TOPP: opt.p.s.top_p = (float)FNUM(0, 1, "--top-p"); break;
		case O_MINP: opt.p.s.min_p = (float)FNUM(0, 1, "--min-p"); break;
		case O_REP:
			opt.p.s.repeat_penalty = (float)FNUM(0.01, 100,
			    "--repeat-penalty");
			break;
		case O_PRES:
			opt.p.s.presence_penalty = (float)FNUM(-2, 2,
			    "--presence-penalty");
			break;
		case O_FREQ:
			opt.p.s.frequency_penalty = (float)FNUM(-2, 2,
			    "--frequency-penalty");
			break;
		case O_SEED:
			opt.p.s.seed = (uint64_t)estrtonum(optarg, 0, INT64_MAX,
			    "--seed");
			break;
		case O_STOP:
			if (opt.p.nstop == MAX_STOP)
				dien(2, "--stop: at most %d", MAX_STOP);
			if (*optarg == '\0')
				dien(2, "--stop: empty string");
			opt.p.stop[opt.p.nstop++] = optarg;
			break;
		case 'c':
			opt.ctx = (uint32_t)estrtonum(optarg, 16, 1 << 24,
			    "--ctx");
			break;
		case 'k':
			opt.kv_dtype = ekvtype(optarg, "--kv-type");
			break;
		case 't':
			opt.threads = (int)estrtonum(optarg, 1, 1024,
			    "--threads");
			break;
		case 'd': opt.device = optarg; break;
		case 'R': opt.raw_input = 1; break;
		case O_JSONL: opt.jsonl = 1; break;
		case O_STREAM: opt.stream = 1; break;
		case O_TRUNC: opt.truncate = 1; break;
		case O_FAILFAST: opt.fail_fast = 1; break;
		case O_RESUME: opt.resume = optarg; break;
		case 'q': opt.quiet = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V':
			printf("llm-run %s\n", LC_VERSION);
			return fshut(stdout, "<stdout>");
		default: usage(stderr, 2);
		}
	}
#undef FNUM
	argc -= optind;
	argv += optind;
	if (opt.model == NULL) {
		warn("no model: give -m FILE or set LLM_MODEL");
		usage(stderr, 2);
	}
	if (opt.p.s.temp == 0)
		opt.p.s.temp = -1;	/* greedy */
	if (opt.resume != NULL) {
		if (argc > 0)
			dien(2, "--resume goes with JSONL input, not a prompt");
		opt.jsonl = 1;
		load_resume(opt.resume);
	}
	be = ebackend(opt.device, opt.threads);
	mo.n_ctx = opt.ctx;
	mo.kv_dtype = opt.kv_dtype;
	if (lc_model_resolve(opt.model, mpath, sizeof(mpath), &e) != LC_OK ||
	    lc_model_open(&model, mpath, be, &mo, &e) != LC_OK)
		die_err(&e);
	if (lc_tok_new(&tok, lc_model_gguf(model), &e) != LC_OK) {
		lc_errprefix(&e, mpath);
		die_err(&e);
	}
	if (lc_gguf_find_kv(lc_model_gguf(model), "tokenizer.chat_template",
	    &kv) == LC_OK && lc_gguf_get_str(lc_model_gguf(model),
	    "tokenizer.chat_template", &tmpl, &tmpl_len, NULL) != LC_OK)
		tmpl = NULL;
	if (opt.tmpl_family != NULL) {
		lc_chat_msg m = { .role = "user", .content = "x" };
		char *out;
		if (lc_chat_render(NULL, 0, opt.tmpl_family, &m, 1, NULL, &out,
		    &e) != LC_OK)
			dien(2, "--template: %s", e.msg);
		free(out);
	}
	if ((logits = malloc(lc_model_hparams(model)->n_vocab *
	    sizeof(*logits))) == NULL)
		die("out of memory");
	lc_jw_init(&jw);
	if (argc > 0) {		/* the prompt is the arguments */
		size_t k, n = 0;
		for (k = 0; k < (size_t)argc; k++)
			n += strlen(argv[k]) + 1;
		if ((text = malloc(n + 1)) == NULL)
			die("out of memory");
		*text = '\0';
		for (k = 0; k < (size_t)argc; k++) {
			if (k > 0)
				strcat(text, " ");
			strcat(text, argv[k]);
		}
		ret = plain(text);
		free(text);
	} else if (!opt.jsonl && !opt.raw_input) {
		/* JSONL if the first line that is not blank starts with '{';
		   the blank lines before it are read and counted */
		c = getc(stdin);
		while (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			if (c == '\n')
				lead++;
			c = getc(stdin);
		}
		if (c != EOF)
			ungetc(c, stdin);
		if (c == '{') {
			opt.jsonl = 1;
			for (; lineno < lead; lineno++) {
				error_record(lineno + 1, NULL, NULL, "parse",
				    "blank line");
				ret = 1;
			}
		} else {
			text = ereadall(stdin, "<stdin>", &len);
			while (len > 0 && (text[len - 1] == '\n' ||
			    text[len - 1] == '\r'))
				text[--len] = '\0';
			if (len == 0)
				dien(2, "no prompt on the command line or "
				    "standard input");
			ret = plain(text);
			free(text);
		}
	}
	while (argc == 0 && (opt.jsonl || opt.raw_input) &&
	    !(ret && opt.fail_fast) &&
	    (line = getline_any(stdin, &len)) != NULL) {
		lineno++;
		if (len > MAX_LINE) {
			error_record(lineno, NULL, NULL, "parse", "line too long");
			ret = 1;
			continue;
		}
		if (opt.raw_input) {
			cJSON *o = cJSON_CreateObject();
			char *req;
			cJSON_AddNumberToObject(o, "line", (double)lineno);
			cJSON_AddStringToObject(o, "prompt", line);
			req = cJSON_PrintUnformatted(o);
			cJSON_Delete(o);
			if (req == NULL)
				die("out of memory");
			ret |= request(req, strlen(req), lineno);
			free(req);
			continue;
		}
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0') {
			error_record(lineno, NULL, NULL, "parse", "blank line");
			ret = 1;
			continue;
		}
		ret |= request(line, len, lineno);
	}
	lc_jw_free(&jw);
	while (ndone > 0)
		free(done_keys[--ndone]);
	free(done_keys);
	free(logits);
	free(ids);
	lc_tok_free(tok);
	lc_model_close(model);
	be->ops->free(be);
	ret |= fshut(stdout, "<stdout>");
	return ret;
}
