"""A remote inference server as the backend: wattcode's own trimmed FIM prompt sent to an
OpenAI-compatible `/v1/completions` endpoint (vLLM, llama.cpp's llama-server,
llama-cpp-python's server). Nothing here runs unless the user names a URL."""
