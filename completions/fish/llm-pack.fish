# fish completion for llm-pack(1)

set -l __llm_pack_cmds create list verify extract keygen
complete -c llm-pack -n "not __fish_seen_subcommand_from $__llm_pack_cmds" -f -a "$__llm_pack_cmds"
complete -c llm-pack -s o -l output -r -F -d 'Write the pack here (- for stdout)'
complete -c llm-pack -s i -l include -r -F -d 'Add a file (README, LICENSE, tokenizer)'
complete -c llm-pack -l zstd -d 'Compress with zstd'
complete -c llm-pack -l split -x -d 'Volumes of SIZE bytes (4G, 650M)'
complete -c llm-pack -l sign -r -F -d 'Sign with a minisign secret key'
complete -c llm-pack -s k -l key -r -F -d 'Require a signature by this public key'
complete -c llm-pack -s C -l directory -x -a '(__fish_complete_directories)' -d 'Extract into DIR'
complete -c llm-pack -l into-ollama -x -a '(__fish_complete_directories)' -d 'Extract into an Ollama store'
complete -c llm-pack -l name -x -d 'Ollama name for a GGUF pack'
complete -c llm-pack -s q -l quiet -d 'No progress bar, no summary'
complete -c llm-pack -s h -l help -d 'Print help and exit'
complete -c llm-pack -s V -l version -d 'Print version and exit'
