"""Caches that make a keystroke cost a few tokens (KV/prefix cache, suggestion cache).

Filled by the cache issue; today generation relies on the backend's longest-common-prefix reuse
(`models/llama_backend.py`).
"""
