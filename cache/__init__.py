"""The caches that make a keystroke cost a few tokens, as plain data structures.

- `suggestion_cache.py`: suggestions by the context they were made for; typing through a shown
  suggestion returns its remainder with no inference.
- `kv_state_cache.py`: saved KV states of recently used documents, LRU with a byte cap, so that
  switching files does not start from zero.

The live KV cache itself is the model context's; reusing its longest common token prefix is
`models/llama_backend.py`'s job, and switching it between documents is
`models/document_states.py`'s. Nothing here imports the model or LSP.
"""
