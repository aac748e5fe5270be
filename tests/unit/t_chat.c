/* t_chat - chat template family recognition (llama.cpp's order). */
#include <string.h>

#include "../../libcore/chat.h"
#include "check.h"

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
	return DONE("t_chat");
}
