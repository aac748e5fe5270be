/*
 * chat.h - chat templates.  Template text read from a model file is
 * data: it is recognised by family and rendered by our own code, never
 * executed (CVE-2024-34359 was a model file whose template ran code).
 *
 * A template is accepted only when it is one we know, compared after a
 * normalisation that keeps its meaning (whitespace inside tags, how a
 * string literal is quoted and escaped, one trailing newline); the
 * default system prompt of the chatml, SmolLM2 and Qwen2.5 templates
 * may differ from the known one and is then taken from the text.
 * Anything else is refused with LC_EUNSUP rather than rendered nearly
 * right.  The output is byte for byte what transformers'
 * apply_chat_template renders with the same template and inputs
 * (tests/golden/chat, made by tests/oracle/chat_golden.py).
 */
#ifndef LC_CHAT_H
#define LC_CHAT_H

#include <stddef.h>

#include "status.h"

/*
 * Names the family of a Jinja chat template (tokenizer.chat_template):
 * "chatml", "qwen2", "qwen3", "llama3", "gemma", "phi3", "phi4",
 * "mistral", "zephyr", "deepseek", "command-r", "granite", "llama4",
 * or "unknown".  The tests are substring tests in llama.cpp's order
 * (llm_chat_detect_template), so both tools agree on a template.
 * Naming a family does not mean lc_chat_render can render it.
 */
const char	*lc_chat_family(const char *tmpl, size_t n);

/*
 * One message as the template sees it.  All strings are UTF-8 and
 * NUL-terminated; the structure and its strings are borrowed.
 */
typedef struct lc_chat_msg {
	const char	*role;		/* "system", "user", "assistant",
					   "tool"...; not NULL */
	const char	*content;	/* NULL is JSON null (OpenAI: an
					   assistant turn with tool calls) */
	const char	*tool_calls_json; /* OpenAI tool_calls array as JSON
					   text, or NULL (key absent) */
	const char	*name;		/* tool name for role "tool", or NULL;
					   no supported template prints it */
} lc_chat_msg;

typedef struct lc_chat_opts {
	int		 add_generation_prompt;	/* usually 1 */
	const char	*tools_json;	/* OpenAI "tools" array as JSON text,
					   or NULL */
	int		 enable_thinking; /* qwen3: -1 undefined (template
					   default), 0, 1 */
	const char	*bos, *eos;	/* bos_token/eos_token texts; NULL is
					   undefined */
	const char	*date_string;	/* llama3 "Today Date"; NULL: the
					   template's default */
} lc_chat_opts;

/*
 * Renders msgs[0..n) with the chat template text tmpl (tmpl_len bytes,
 * from tokenizer.chat_template) or, when family is not NULL, with that
 * named family's reference template (a family of lc_chat_families(), or
 * a variant name: smollm2, qwen2.5, llama3.0, llama3.1, llama3.2,
 * gemma2, gemma3, gemma4, phi3.5, phi4-mini).  opt may be NULL: generation
 * prompt on, nothing else defined.
 *
 * On success *out is a malloc'ed NUL-terminated string the caller
 * frees.  Returns LC_EUNSUP when the template is not one we render
 * faithfully (the message names its family as lc_chat_family() sees it
 * and lists the supported ones); LC_EINVAL for a conversation the
 * template itself refuses (gemma's roles must alternate, a null content
 * the template concatenates, two tool calls for llama3, ...: wherever
 * Jinja raises), or for bad arguments and invalid UTF-8; LC_EFORMAT for
 * tools_json or tool_calls_json that is not valid JSON of the right
 * shape; LC_ENOMEM.  Values Jinja would print with Python's repr (a tool
 * call name that is an object) are refused with LC_EINVAL.
 */
int		 lc_chat_render(const char *tmpl, size_t tmpl_len,
		    const char *family, const lc_chat_msg *msgs, size_t n,
		    const lc_chat_opts *opt, char **out, lc_err *e);

/* Returns "chatml, qwen2, qwen3, llama3, gemma, phi3" (static). */
const char	*lc_chat_families(void);

#endif /* LC_CHAT_H */
