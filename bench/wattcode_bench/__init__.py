"""The efficiency and greenness benchmark (`wattcode bench`), outside the server's package.

It drives `wattcode serve` over stdio and the completion engine in-process; nothing in
lsp_server, models or cache imports it but `wattcode bench` (lsp_server/cli.py).
"""
