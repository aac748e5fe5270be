# fish completion for llm-run(1)

# models: .gguf files, and directories
function __llm_run_models
    set tok (commandline -ct | string replace -r '^--model=' '' | string unescape)
    or set tok (commandline -ct | string replace -r '^--model=' '')
    set pre $tok
    if string match -q '~*' -- $tok
        set pre (string replace -r '^~' $HOME -- $tok)
    end
    set n (math (string length -- "$pre") + 1)
    for f in $pre*
        set shown "$tok"(string sub -s $n -- $f)
        if test -d $f
            echo $shown/
        else if string match -qr '\.gguf$' -- $f
            echo $shown
        end
    end
end

# the prompt is free text: no files
complete -c llm-run -f
complete -c llm-run -s m -l model -r -f -a '(__llm_run_models)' -d 'GGUF model (default $LLM_MODEL)'
complete -c llm-run -s s -l system -x -d 'System message'
complete -c llm-run -l raw -d 'No chat template: the prompt is the text'
complete -c llm-run -l template -x -a 'chatml qwen2 qwen3 llama3 gemma phi3' -d 'Chat template family instead of the model\'s'
complete -c llm-run -s n -l max-tokens -x -d 'Tokens to generate at most (256)'
complete -c llm-run -l temp -x -d 'Temperature, 0 is greedy (0.8)'
complete -c llm-run -l top-k -x -d 'Keep the k most likely tokens (40)'
complete -c llm-run -l top-p -x -d 'Keep the tokens within probability p (0.95)'
complete -c llm-run -l min-p -x -d 'Drop tokens below p times the best (0.05)'
complete -c llm-run -l repeat-penalty -x -d 'Penalty for repeated tokens (1 is off)'
complete -c llm-run -l presence-penalty -x -d 'Penalty for present tokens (-2 to 2)'
complete -c llm-run -l frequency-penalty -x -d 'Penalty by token frequency (-2 to 2)'
complete -c llm-run -l seed -x -d 'Sampling seed (0)'
complete -c llm-run -l stop -x -d 'Stop before this text (up to 8 times)'
complete -c llm-run -s c -l ctx -x -d 'Context length'
complete -c llm-run -s k -l kv-type -x -a 'f16 f32 q8_0' -d 'KV cache type'
complete -c llm-run -s t -l threads -x -d 'Threads (one per core)'
complete -c llm-run -s d -l device -x -a 'cpu vulkan vulkan:0' -d 'Device (cpu, vulkan[:N])'
complete -c llm-run -s R -l raw-input -d 'Each input line is a prompt'
complete -c llm-run -l jsonl -d 'Input is JSONL requests'
complete -c llm-run -l stream -d 'Token events, then a done record'
complete -c llm-run -l truncate -d 'Drop the start of prompts too long for the context'
complete -c llm-run -l fail-fast -d 'Stop at the first failed record'
complete -c llm-run -l resume -r -F -d 'Skip the requests a results file already answers'
complete -c llm-run -s q -l quiet -d 'No diagnostics but errors'
complete -c llm-run -s h -l help -d 'Print help and exit'
complete -c llm-run -s V -l version -d 'Print version and exit'
