"""Model files and inference: default-model assembly, GGUF checks, FIM prompts, generation.

Nothing in this package knows about LSP. Only `models/llama_backend.py` imports `llama_cpp`.
"""
