"""One module per LSP feature group; each exposes plain handlers `(server, params)`, which
`lsp_server/server.py`'s dispatch table registers."""
