/*
 * resolve.h - from what a user types after -m to a model file.
 *
 *   a path to an existing file        that file
 *   ollama:NAME[:TAG]                 the model layer of an Ollama store
 *                                     ($OLLAMA_MODELS, else ~/.ollama/models,
 *                                     else /usr/share/ollama/.ollama/models):
 *                                     manifests/registry.ollama.ai/library/NAME/TAG
 *                                     (NAME may be NAMESPACE/NAME or
 *                                     HOST/NAMESPACE/NAME), TAG latest
 *   hf:ORG/NAME                       a Hugging Face cache repository
 *                                     ($HF_HUB_CACHE, else $HF_HOME/hub, else
 *                                     ~/.cache/huggingface/hub): models--ORG--NAME
 *   a directory                       an HF cache repository (refs/main names
 *                                     the snapshot), a snapshot, or any
 *                                     directory: its one .gguf file
 *   NAME                              $LLM_MODELS/NAME or NAME.gguf
 *                                     ($LLM_MODELS: ~/.local/share/llmutils/models)
 *
 * Names are checked before they touch the file system: no "..", no
 * empty components, only [A-Za-z0-9._-]; a blob digest must be
 * sha256:<64 hex> (the Ollama path-traversal CVEs came from unchecked
 * digests and names).  Nothing is hashed here: llm-pack verify does that.
 */
#ifndef LC_RESOLVE_H
#define LC_RESOLVE_H

#include <stddef.h>

#include "status.h"

/* Writes the file to open into out (outlen bytes).  LC_ENOTFOUND names
   what was looked for; LC_EFORMAT a bad name or manifest. */
int	lc_model_resolve(const char *arg, char *out, size_t outlen, lc_err *e);

#endif /* LC_RESOLVE_H */
