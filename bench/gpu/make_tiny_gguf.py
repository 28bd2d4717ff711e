"""A tiny random-weight qwen2 GGUF with the 0.5B's tokenizer: 11 MB that fits one device call.

Checks that a GPU build loads and offloads a model without carrying the 0.5B in 32 calls (its
output is noise). Needs the `gguf` package (`pip install --target /tmp/ggufenv gguf==0.19.0`):

    PYTHONPATH=/tmp/ggufenv python bench/gpu/make_tiny_gguf.py 0.5B.gguf .gpu/tiny.gguf
"""

import sys

import gguf
import numpy as np

N_EMBD, N_LAYER, N_HEAD, N_KV, N_FF, CTX = 32, 2, 1, 1, 64, 4096
Q8 = gguf.GGMLQuantizationType.Q8_0


def copy_tokenizer(src: gguf.GGUFReader, out: gguf.GGUFWriter) -> int:
    for key, field in src.fields.items():
        if not key.startswith("tokenizer."):
            continue
        kind = field.types[0]
        if kind == gguf.GGUFValueType.ARRAY:
            if field.types[1] == gguf.GGUFValueType.STRING:
                values = [bytes(field.parts[i]).decode("utf-8", "replace") for i in field.data]
            else:
                values = [field.parts[i].tolist()[0] for i in field.data]
            out.add_array(key, values)
        elif kind == gguf.GGUFValueType.STRING:
            out.add_string(key, bytes(field.parts[field.data[0]]).decode())
        else:
            out.add_key_value(key, field.parts[field.data[0]].tolist()[0], kind)
    return len(src.fields["tokenizer.ggml.tokens"].data)


def main(source: str, target: str) -> None:
    out = gguf.GGUFWriter(target, "qwen2")
    out.add_name("tiny-random-qwen2")
    out.add_context_length(CTX)
    out.add_embedding_length(N_EMBD)
    out.add_block_count(N_LAYER)
    out.add_feed_forward_length(N_FF)
    out.add_head_count(N_HEAD)
    out.add_head_count_kv(N_KV)
    out.add_layer_norm_rms_eps(1e-6)
    out.add_rope_freq_base(1000000.0)
    out.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    n_vocab = copy_tokenizer(gguf.GGUFReader(source), out)
    rng = np.random.default_rng(0)

    def tensor(name: str, shape: tuple[int, ...], quantize: bool = False) -> None:
        values = (rng.standard_normal(shape) * 0.02).astype(np.float32)
        if quantize:
            out.add_tensor(name, gguf.quants.quantize(values, Q8), raw_dtype=Q8)
        else:
            out.add_tensor(name, values)

    head = N_EMBD // N_HEAD
    tensor("token_embd.weight", (n_vocab, N_EMBD), quantize=True)
    tensor("output_norm.weight", (N_EMBD,))
    for layer in range(N_LAYER):
        p = f"blk.{layer}."
        tensor(p + "attn_norm.weight", (N_EMBD,))
        tensor(p + "attn_q.weight", (N_EMBD, N_EMBD), quantize=True)
        tensor(p + "attn_q.bias", (N_EMBD,))
        tensor(p + "attn_k.weight", (N_KV * head, N_EMBD), quantize=True)
        tensor(p + "attn_k.bias", (N_KV * head,))
        tensor(p + "attn_v.weight", (N_KV * head, N_EMBD), quantize=True)
        tensor(p + "attn_v.bias", (N_KV * head,))
        tensor(p + "attn_output.weight", (N_EMBD, N_EMBD), quantize=True)
        tensor(p + "ffn_norm.weight", (N_EMBD,))
        tensor(p + "ffn_gate.weight", (N_FF, N_EMBD), quantize=True)
        tensor(p + "ffn_up.weight", (N_FF, N_EMBD), quantize=True)
        tensor(p + "ffn_down.weight", (N_EMBD, N_FF), quantize=True)
    out.write_header_to_file()
    out.write_kv_data_to_file()
    out.write_tensors_to_file()
    out.close()
    sys.stdout.write(f"{target}: {n_vocab} tokens\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
