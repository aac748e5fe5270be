#!/usr/bin/env python3
"""chat_golden.py - render the chat goldens with the real Jinja templates.

Writes tests/golden/chat/<family>.jsonl from the conversations below and
the templates in tests/golden/chat/templates/ (see tests/oracle/chat_README).
Rendering goes through transformers' own render_jinja_template (the code
behind tokenizer.apply_chat_template: ImmutableSandboxedEnvironment with
trim_blocks/lstrip_blocks, raise_exception, tojson, strftime_now); if
transformers is missing, an exact copy of its environment set-up is used.

Run from the repository root:  python3 tests/oracle/chat_golden.py
Each output line: {"name", "template", "messages": [{"role", "content"
(string or null), "tool_calls_json" (text, optional), "name"}],
"tools_json" (text, optional), "add_generation_prompt", "enable_thinking"
(optional bool), "bos_token", "eos_token", "date_string" (optional),
then "expected" (the rendered text) or "error" (the Jinja error).
tool_calls_json/tools_json are JSON texts, passed to lc_chat_render
verbatim, so number spellings such as 1.0 and 1e5 survive.
"""
import json
import os
import sys

TDIR = "tests/golden/chat/templates"
ODIR = "tests/golden/chat"

try:
    from transformers.utils.chat_template_utils import render_jinja_template

    def render(tmpl, messages, tools, add_gen, kw):
        out = render_jinja_template(
            conversations=[messages], tools=tools, chat_template=tmpl,
            add_generation_prompt=add_gen, **kw)
        # newer releases return (rendered chats, generation indices)
        if isinstance(out, tuple):
            out = out[0]
        if isinstance(out, list):
            out = out[0]
        return out

    ORACLE = "transformers.utils.chat_template_utils.render_jinja_template"
except ImportError:
    import jinja2
    from datetime import datetime
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def _raise(message):
        raise jinja2.exceptions.TemplateError(message)

    def _tojson(x, ensure_ascii=False, indent=None, separators=None,
                sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent,
                          separators=separators, sort_keys=sort_keys)

    def render(tmpl, messages, tools, add_gen, kw):
        env = ImmutableSandboxedEnvironment(
            trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
        env.filters["tojson"] = _tojson
        env.globals["raise_exception"] = _raise
        env.globals["strftime_now"] = \
            lambda f: datetime.now().strftime(f)
        return env.from_string(tmpl).render(
            messages=messages, tools=tools, documents=None,
            add_generation_prompt=add_gen, **kw)

    ORACLE = "jinja2 ImmutableSandboxedEnvironment (transformers set-up)"


def M(role, content, tool_calls=None, name=None):
    m = {"role": role, "content": content}
    if tool_calls is not None:
        m["tool_calls_json"] = tool_calls
    if name is not None:
        m["name"] = name
    return m


SYS = M("system", "You are a helpful assistant")
U = M("user", "Hello")
LLAMACPP6 = [SYS, U, M("assistant", "Hi there"), M("user", "Who are you"),
             M("assistant", "   I am an assistant   "),
             M("user", "Another question")]

# conversations every family renders
COMMON = [
    ("single_user", [U], {}),
    ("system_user", [SYS, U], {}),
    ("llamacpp_six", LLAMACPP6, {}),
    ("no_system_multi", [U, M("assistant", "Hi!"), M("user", "Bye")], {}),
    ("empty_content", [M("user", "")], {}),
    ("empty_system", [M("system", ""), U], {}),
    ("unicode", [M("system", "Réponds en français 🇫🇷"),
                 M("user", "Привет 👋 — naïve café 日本語")], {}),
    ("whitespace", [M("system", "  \n sys \t\n"),
                    M("user", "\n\t  hi there  \n"),
                    M("assistant", " \u3000answer\u00a0\u2003 "),
                    M("user", "\u200bzero width\u200b")], {}),
    ("no_gen_prompt", [SYS, U], {"add_generation_prompt": False}),
    ("ends_assistant", [U, M("assistant", "Hi there")],
     {"add_generation_prompt": False}),
    ("empty_conversation", [], {}),
    ("system_only", [SYS], {}),
    ("special_text", [M("user", "{{ 1 + 1 }} {% if x %} '\"\\ "
                      "<|im_end|><|eot_id|><end_of_turn>")], {}),
    ("null_user", [M("user", None)], {}),
    ("unknown_role", [M("developer", "Be terse."), U], {}),
    ("two_systems", [SYS, U, M("system", "Second system")], {}),
    ("newlines", [M("user", "line1\nline2\n\nline4\r\nend")], {}),
]

WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Get the weather in a city",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "City name, e.g. Zürich"},
        "unit": {"type": "string", "enum": ["c", "f"]}},
        "required": ["city"]}}}
# number spellings and escapes that tojson must reproduce
ODD = ('{"type": "function", "function": {"name": "odd", "description": '
       '"quote \\" backslash \\\\ tab \\t nl \\n ctl \\u0001 del \\u007f '
       'e\\u0301 \\u00e9 </script> \\ud83d\\ude00", "parameters": {"a": 1, '
       '"b": 1.0, "c": -0, "d": -0.0, "e": 1e5, "f": 1E-7, "g": 0.1, '
       '"h": 12345678901234567890, "i": 1.5e300, "j": 123456789012345678.0, '
       '"k": [], "l": {}, "m": [true, false, null], "n": 2.5e-5, '
       '"o": 1e16, "p": 9999999999999999.0, "dup": 1, "dup": 2, '
       '"q": 0.0001, "r": 1e400}}}')
TOOLS = json.dumps([WEATHER])
TOOLS2 = "[" + json.dumps(WEATHER) + ", " + ODD + "]"
CALL_OBJ = ('[{"id": "call_1", "type": "function", "function": '
            '{"name": "get_weather", "arguments": {"city": "Paris", '
            '"unit": "c"}}}]')
CALL_STR = ('[{"id": "call_1", "type": "function", "function": '
            '{"name": "get_weather", "arguments": '
            '"{\\"city\\": \\"Paris\\"}"}}]')
CALL_TWO = ('[{"type": "function", "function": {"name": "get_weather", '
            '"arguments": {"city": "Paris"}}}, {"type": "function", '
            '"function": {"name": "get_weather", "arguments": '
            '{"city": "Zürich", "n": 1.0}}}]')
CALL_BARE = '[{"name": "get_weather", "arguments": {"city": "Oslo"}}]'
ASK = M("user", "What is the weather in Paris?")
RESULT = M("tool", '{"temp": 21, "sky": "sunny"}', name="get_weather")

TOOLCASES = [
    ("tools_system", [SYS, ASK], {"tools": TOOLS}),
    ("tools_no_system", [ASK], {"tools": TOOLS}),
    ("tools_odd_json", [SYS, ASK], {"tools": TOOLS2}),
    ("tools_empty_list", [SYS, ASK], {"tools": "[]"}),
    ("tool_call_round", [SYS, ASK, M("assistant", None, CALL_OBJ), RESULT,
                         M("assistant", "It is 21 °C and sunny.")],
     {"tools": TOOLS}),
    ("tool_call_empty_content", [ASK, M("assistant", "", CALL_OBJ), RESULT],
     {"tools": TOOLS}),
    ("tool_call_string_args", [ASK, M("assistant", "", CALL_STR), RESULT],
     {"tools": TOOLS}),
    ("tool_call_with_text", [ASK, M("assistant", "Let me check.", CALL_OBJ),
                             RESULT], {"tools": TOOLS}),
    ("tool_call_two", [ASK, M("assistant", "", CALL_TWO), RESULT,
                       M("tool", "18 degrees", name="get_weather")],
     {"tools": TOOLS}),
    ("tool_call_bare", [ASK, M("assistant", "", CALL_BARE),
                        M("tool", "cold")], {"tools": TOOLS}),
    ("tool_call_no_tools", [ASK, M("assistant", "", CALL_OBJ), RESULT], {}),
    ("tool_call_empty_list", [ASK, M("assistant", "ok", "[]")], {}),
    ("tool_null_content", [ASK, M("assistant", "", CALL_OBJ),
                           M("tool", None)], {"tools": TOOLS}),
]

THINK = [
    ("think_past_turns", [U, M("assistant", "<think>\nplan\n</think>\n\nHi!"),
                          M("user", "Again")], {}),
    ("think_last_turn", [U, M("assistant",
                              "<think>\n\nreason a\nreason b\n\n</think>\n\nDone.")],
     {"add_generation_prompt": False}),
    ("think_no_open_tag", [U, M("assistant", "just reasoning</think>answer"),
                           M("user", "more")], {}),
    ("think_off", [U], {"enable_thinking": False}),
    ("think_on", [U], {"enable_thinking": True}),
    ("think_off_history", [SYS, U, M("assistant", "<think>x</think>y"),
                           M("user", "z")], {"enable_thinking": False}),
    ("think_multi_step_tool",
     [SYS, ASK, M("assistant", "<think>need tool</think>", CALL_OBJ), RESULT,
      M("assistant", "<think>got it</think>\n\nSunny, 21 °C.")],
     {"tools": TOOLS, "add_generation_prompt": False}),
    ("think_tool_response_user",
     [ASK, M("assistant", "<think>a</think>b"),
      M("user", "<tool_response>\nx\n</tool_response>"),
      M("assistant", "<think>c</think>d")],
     {"add_generation_prompt": False}),
    ("think_empty_reasoning_mid",
     [U, M("assistant", "<think></think>hi"), M("assistant", "two")],
     {"add_generation_prompt": False}),
    ("think_two_closers", [U, M("assistant", "<think>a</think>b</think>\nc")],
     {"add_generation_prompt": False}),
]

GEMMA = [
    ("alternation_user_user", [M("user", "a"), M("user", "b")], {}),
    ("alternation_system_user_user", [SYS, M("user", "a"), M("user", "b")],
     {}),
    ("assistant_first", [M("assistant", "hi"), U], {}),
    ("tool_role_odd", [U, M("tool", "result")], {}),
    ("null_assistant", [U, M("assistant", None)], {}),
    ("null_system", [M("system", None), U], {}),
]

LLAMA = [
    ("date_given", [SYS, U], {"date_string": "01 Jan 2025"}),
    ("tools_only_system", [SYS], {"tools": TOOLS}),
    ("tool_call_assistant_null", [ASK, M("assistant", None, CALL_OBJ)],
     {"tools": TOOLS, "add_generation_prompt": False}),
    ("tool_unicode_response", [ASK, M("assistant", "", CALL_OBJ),
                               M("tool", "Zürich: \"warm\"\n")],
     {"tools": TOOLS}),
    ("ipython_role", [ASK, M("ipython", "42")], {}),
]

BOS = {"chatml": ("<|im_start|>", "<|im_end|>"),
       "qwen": ("", "<|im_end|>"),
       "llama": ("<|begin_of_text|>", "<|eot_id|>"),
       "gemma": ("<bos>", "<eos>"),
       "phi3": ("<s>", "<|endoftext|>"),
       "phi4": ("<|endoftext|>", "<|endoftext|>")}

# family file -> [(template file, bos/eos key, case lists)]
FAMILIES = {
    "chatml": [("HuggingFaceTB-SmolLM2-135M-Instruct.jinja", "chatml",
                [COMMON]),
               ("teknium-OpenHermes-2.5-Mistral-7B.jinja", "chatml",
                [COMMON[:6]]),
               ("variant-SmolLM2-other-default.jinja", "chatml",
                [COMMON[:3]])],
    "qwen2": [("Qwen-Qwen2.5-7B-Instruct.jinja", "qwen", [COMMON, TOOLCASES]),
              ("variant-Qwen2.5-other-default.jinja", "qwen",
               [COMMON[:2], TOOLCASES[:1]])],
    "qwen3": [("Qwen-Qwen3-0.6B.jinja", "qwen", [COMMON, TOOLCASES, THINK])],
    "llama3": [("meta-llama-Llama-3.1-8B-Instruct.jinja", "llama",
                [COMMON, TOOLCASES, LLAMA]),
               ("meta-llama-Llama-3.2-3B-Instruct.jinja", "llama",
                [COMMON[:4], TOOLCASES[:5], LLAMA[:1]]),
               ("meta-llama-Llama-3.3-70B-Instruct.jinja", "llama",
                [COMMON[:3], TOOLCASES[:1]]),
               ("meta-llama-Meta-Llama-3-8B-Instruct.jinja", "llama",
                [COMMON])],
    "gemma": [("google-gemma-3-it.jinja", "gemma", [COMMON, GEMMA]),
              ("variant-gemma-3-raw-newlines.jinja", "gemma",
               [COMMON[:3]]),
              ("google-gemma-2-2b-it.jinja", "gemma", [COMMON, GEMMA])],
    "phi3": [("microsoft-Phi-3.5-mini-instruct.jinja", "phi3", [COMMON]),
             ("microsoft-Phi-4-mini-instruct.jinja", "phi4", [COMMON])],
}

# the variant templates are made from the real ones by a change that a
# recogniser must follow (another default system prompt) or ignore
# (how a newline is spelled inside a string literal)
VARIANTS = {
    "variant-SmolLM2-other-default.jinja":
        ("HuggingFaceTB-SmolLM2-135M-Instruct.jinja",
         "You are a helpful AI assistant named SmolLM, trained by Hugging Face",
         "You are a friendly assistant called Tiny. Reply briefly"),
    "variant-Qwen2.5-other-default.jinja":
        ("Qwen-Qwen2.5-7B-Instruct.jinja",
         "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
         "You are a careful assistant; answer in English."),
    "variant-gemma-3-raw-newlines.jinja":
        ("google-gemma-3-it.jinja", "'\n\n'", "'\\n\\n'"),
}


def case(fam, tfile, bk, name, msgs, kw):
    tmpl = open(os.path.join(TDIR, tfile), encoding="utf-8").read()
    bos, eos = BOS[bk]
    rec = {"name": name, "template": tfile, "messages": msgs}
    jmsgs = []
    for m in msgs:
        j = {"role": m["role"], "content": m["content"]}
        if "tool_calls_json" in m:
            j["tool_calls"] = json.loads(m["tool_calls_json"])
        if "name" in m:
            j["name"] = m["name"]
        jmsgs.append(j)
    tools = None
    if "tools" in kw:
        rec["tools_json"] = kw["tools"]
        tools = json.loads(kw["tools"])
    add_gen = kw.get("add_generation_prompt", True)
    rec["add_generation_prompt"] = add_gen
    extra = {"bos_token": bos, "eos_token": eos}
    rec["bos_token"] = bos
    rec["eos_token"] = eos
    if "enable_thinking" in kw:
        rec["enable_thinking"] = kw["enable_thinking"]
        extra["enable_thinking"] = kw["enable_thinking"]
    if "date_string" in kw:
        rec["date_string"] = kw["date_string"]
        extra["date_string"] = kw["date_string"]
    elif "strftime_now" in tmpl:
        # make Llama 3.2 deterministic: the C side is given the same date
        rec["date_string"] = "26 Jul 2024"
        extra["date_string"] = "26 Jul 2024"
    try:
        rec["expected"] = render(tmpl, jmsgs, tools, add_gen, extra)
    except Exception as ex:  # noqa: BLE001 - any Jinja failure is a refusal
        rec["error"] = "%s: %s" % (type(ex).__name__, ex)
    return rec


def main():
    for v, (src, old, new) in VARIANTS.items():
        t = open(os.path.join(TDIR, src), encoding="utf-8").read()
        assert old in t, v
        open(os.path.join(TDIR, v), "w", encoding="utf-8").write(
            t.replace(old, new))
    for fam, sets in FAMILIES.items():
        recs = []
        for tfile, bk, lists in sets:
            tag = tfile[:-len(".jinja")]
            for lst in lists:
                for name, msgs, kw in lst:
                    recs.append(case(fam, tfile, bk, tag + "/" + name,
                                     msgs, kw))
        path = os.path.join(ODIR, fam + ".jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for r in recs:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
        nerr = sum(1 for r in recs if "error" in r)
        print("%s: %d cases (%d refusals)" % (path, len(recs), nerr),
              file=sys.stderr)
    print("oracle: " + ORACLE, file=sys.stderr)


if __name__ == "__main__":
    main()
