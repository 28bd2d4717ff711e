"""How a model is loaded: context length, threads, GPU layers.

Apart from `llama_backend.py` so that the server (and a test's scripted model) can name them
without importing llama.cpp: the native library loads with the model, not with the server.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LoadOptions:
    context_length: int = 4096
    threads: int | None = None
    batch_size: int = 512
    gpu_layers: int | None = None
    """Layers offloaded to the GPU: None puts all of them there when llama.cpp was built with
    a GPU backend (CUDA, Metal, Vulkan, ...) and none otherwise; -1 is all, 0 none."""
    use_mmap: bool = True
    """Map the file instead of reading it. On a CPU llama.cpp repacks most weights into its own
    buffer, so a mapped file is resident twice over: the 1.5B takes 1,900 MB mapped against
    1,309 MB read (bench/experiments/speculative/README.md)."""
