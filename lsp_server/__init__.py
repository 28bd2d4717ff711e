"""The wattcode application front: the `wattcode` CLI and the LSP server.

Only this package imports pygls and lsprotocol.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wattcode")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
