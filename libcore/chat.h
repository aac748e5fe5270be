/*
 * chat.h - chat templates.  Template text read from a model file is
 * data: it is recognised by family and rendered by our own code, never
 * executed.
 */
#ifndef LC_CHAT_H
#define LC_CHAT_H

#include <stddef.h>

/*
 * Names the family of a Jinja chat template (tokenizer.chat_template):
 * "chatml", "qwen2", "qwen3", "llama3", "gemma", "phi3", "phi4",
 * "mistral", "zephyr", "deepseek", "command-r", "granite", "llama4",
 * or "unknown".  The tests are substring tests in llama.cpp's order
 * (llm_chat_detect_template), so both tools agree on a template.
 */
const char	*lc_chat_family(const char *tmpl, size_t n);

#endif /* LC_CHAT_H */
