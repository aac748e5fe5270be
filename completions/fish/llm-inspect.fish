# fish completion for llm-inspect(1)

# models: .gguf and .safetensors files, and directories
function __llm_inspect_models
    set tok (commandline -ct | string unescape)
    or set tok (commandline -ct)
    set pre $tok
    if string match -q '~*' -- $tok
        set pre (string replace -r '^~' $HOME -- $tok)
    end
    set n (math (string length -- "$pre") + 1)
    for f in $pre*
        set shown "$tok"(string sub -s $n -- $f)
        if test -d $f
            echo $shown/
        else if string match -qr '\.(gguf|safetensors)$' -- $f
            echo $shown
        end
    end
end

complete -c llm-inspect -f -a '(__llm_inspect_models)'
complete -c llm-inspect -s S -l summary -d 'Print a summary table'
complete -c llm-inspect -s j -l json -d 'With -S, one JSON summary record'
complete -c llm-inspect -s f -l fit -d 'Memory a run needs, and whether it fits'
complete -c llm-inspect -s c -l ctx -x -d 'Context length for the fit'
complete -c llm-inspect -s b -l batch -x -d 'Prompt batch for the fit'
complete -c llm-inspect -s k -l kv-type -x -a 'f16 f32 q8_0' -d 'KV cache type for the fit'
complete -c llm-inspect -s M -l mem -x -d 'Memory to fit in, e.g. 8G'
complete -c llm-inspect -l check -d 'Hash, dequantize, count NaN/Inf'
complete -c llm-inspect -s D -l diffable -d 'No offsets or sizes in records'
complete -c llm-inspect -s v -l verbose -d 'Print long arrays whole'
complete -c llm-inspect -s q -l quiet -d 'No diagnostics but errors'
complete -c llm-inspect -s h -l help -d 'Print help and exit'
complete -c llm-inspect -s V -l version -d 'Print version and exit'
