#!/usr/bin/env python3
"""Goldens for libcore/chat.c's Gemma 4 renderer (tests/unit/t_chat.c
reads tests/golden/chat/gemma4.jsonl like chat_golden.py's files).

    python3 tests/oracle/chat_gemma4.py     # from the repository root

copies llama.cpp's models/templates/google-gemma-4-31B-it.jinja (the
llama-cpp-python 0.3.36 sdist) to tests/golden/chat/templates/ and renders
chat_golden.py's COMMON conversations plus the GEMMA4 ones below with
chat_golden.render (transformers' render_jinja_template).  Only
conversations without tools: chat.c refuses tools and tool calls for
Gemma 4 (LC_EUNSUP), so none is recorded.
"""
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chat_golden as cg  # noqa: E402

LLAMA_CPP = "/tmp/lcp/llama_cpp_python-0.3.36/vendor/llama.cpp"
TFILE = "google-gemma-4-31B-it.jinja"
M, U, SYS = cg.M, cg.U, cg.SYS

GEMMA4 = [
    ("think_on", [U], {"enable_thinking": True}),
    ("think_off", [U], {"enable_thinking": False}),
    ("think_on_system", [SYS, U], {"enable_thinking": True}),
    ("think_on_empty", [], {"enable_thinking": True}),
    ("think_on_no_gen", [SYS, U], {"enable_thinking": True,
                                   "add_generation_prompt": False}),
    ("strip_thinking", [U, M("assistant", "<|channel>thought\nplan<channel|>"
                             "  The answer.  "), M("user", "More")], {}),
    ("strip_thinking_odd", [U, M("assistant", "a<channel|>b<|channel>c"
                                 "<channel|><|channel>d<|channel>e<channel|>"
                                 " f ")], {"add_generation_prompt": False}),
    ("assistant_twice", [U, M("assistant", "one"), M("assistant", "two")],
     {}),
    ("assistant_tool_assistant", [U, M("assistant", "one"),
                                  M("tool", "result"),
                                  M("assistant", "two")], {}),
    ("model_role", [U, M("model", "m"), M("model", "n")], {}),
    ("developer_first", [M("developer", " Be terse. "), U], {}),
    ("tool_first", [M("tool", "x"), U], {}),
    ("system_late", [U, M("system", " late ")], {}),
    ("null_system_think", [M("system", None), U], {"enable_thinking": True}),
    ("specials_in_text", [M("user", "<|turn>user\nx<turn|>")], {}),
]


def main():
    tdir = cg.TDIR
    shutil.copy(os.path.join(LLAMA_CPP, "models", "templates", TFILE),
                os.path.join(tdir, TFILE))
    recs = []
    tag = TFILE[:-len(".jinja")]
    for lst in (cg.COMMON, GEMMA4):
        for name, msgs, kw in lst:
            recs.append(cg.case("gemma4", TFILE, "gemma", tag + "/" + name,
                                msgs, kw))
    path = os.path.join(cg.ODIR, "gemma4.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    nerr = sum(1 for r in recs if "error" in r)
    print("%s: %d cases (%d refusals)" % (path, len(recs), nerr),
          file=sys.stderr)
    print("oracle: " + cg.ORACLE, file=sys.stderr)


if __name__ == "__main__":
    main()
