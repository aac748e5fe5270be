# fish completion for llm-quant(1)

set -l __llm_quant_ftypes F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q2_K_S Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K IQ4_NL IQ4_XS
set -l __llm_quant_ttypes f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q2_k q3_k q4_k q5_k q6_k iq4_nl iq4_xs

complete -c llm-quant -k -a "$__llm_quant_ftypes" -d 'Quantization type'
complete -c llm-quant -s n -l dry-run -d 'Print the plan, write nothing'
complete -c llm-quant -s t -l threads -x -d 'Threads'
complete -c llm-quant -l allow-requantize -d 'Accept an already-quantized input'
complete -c llm-quant -l pure -d 'No mix rules: every tensor the default type'
complete -c llm-quant -l keep-output -d 'Leave output.weight as it is'
complete -c llm-quant -l leave-output-tensor -d 'Leave output.weight as it is'
complete -c llm-quant -l output-tensor-type -x -a "$__llm_quant_ttypes" -d 'Type of output.weight'
complete -c llm-quant -l token-embedding-type -x -a "$__llm_quant_ttypes" -d 'Type of token_embd.weight'
complete -c llm-quant -l tensor-type -x -d 'PATTERN=TYPE: matching tensors become TYPE'
complete -c llm-quant -l imatrix -r -F -d 'Importance matrix from llama-imatrix (GGUF)'
complete -c llm-quant -l pre-tokenizer -x -a 'gpt-2 smollm llama-bpe qwen2' -d 'tokenizer.ggml.pre for a Hugging Face directory'
complete -c llm-quant -s q -l quiet -d 'No progress bar, no warnings'
complete -c llm-quant -s v -l verbose -d 'A record per tensor when writing'
complete -c llm-quant -s h -l help -d 'Print help and exit'
complete -c llm-quant -s V -l version -d 'Print version and exit'
