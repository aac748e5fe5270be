/* chat.c - chat template recognition. */
#include <string.h>

#include "chat.h"

static int
has(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (k > n)
		return 0;
	for (i = 0; i + k <= n; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, k) == 0)
			return 1;
	return 0;
}

const char *
lc_chat_family(const char *t, size_t n)
{
	if (has(t, n, "<|im_start|>")) {
		if (has(t, n, "<|im_sep|>"))
			return "phi4";
		if (has(t, n, "<think>"))
			return "qwen3";
		if (has(t, n, "<tool_call>") || has(t, n, "You are Qwen"))
			return "qwen2";
		return "chatml";
	}
	if (has(t, n, "[INST]") || (n >= 7 && memcmp(t, "mistral", 7) == 0))
		return "mistral";
	if (has(t, n, "<|assistant|>") && has(t, n, "<|end|>"))
		return "phi3";
	if (has(t, n, "<|user|>") && has(t, n, "<|endoftext|>"))
		return "zephyr";
	if (has(t, n, "<start_of_turn>"))
		return "gemma";
	if (has(t, n, "### Instruction:") && has(t, n, "<|EOT|>"))
		return "deepseek";
	if (has(t, n, "<|START_OF_TURN_TOKEN|>") &&
	    has(t, n, "<|USER_TOKEN|>"))
		return "command-r";
	if (has(t, n, "<|start_header_id|>") && has(t, n, "<|end_header_id|>"))
		return "llama3";
	if (has(t, n, "<|start_of_role|>"))
		return "granite";
	if (has(t, n, "<|header_start|>"))
		return "llama4";
	return "unknown";
}
