"""`lsp_server/server.py`'s dispatch table: each route is registered with the server bound, as
the kind of handler it is; every `wattcode/stats` counter has its key."""

from __future__ import annotations

import asyncio
import functools

from lsp_server.model_worker import ModelWorker
from lsp_server.server import ROUTES, create_server
from lsp_server.session import GUARDS, STAT_KEYS, Stat
from models.request_gate import SkipReason


def test_every_route_is_registered_with_the_server_bound() -> None:
    worker = ModelWorker()
    try:
        server = create_server(worker)
        features = server.protocol.fm.features
        assert len({route.method for route in ROUTES}) == len(ROUTES)
        for route in ROUTES:
            handler = features[route.method]
            assert isinstance(handler, functools.partial), route.method
            assert handler.func is route.handler and handler.args == (server,)
            is_async = asyncio.iscoroutinefunction(route.handler)
            assert asyncio.iscoroutinefunction(handler) == is_async, route.method
            assert server.protocol.fm.feature_options.get(route.method) is route.options
    finally:
        worker.shutdown()


def test_every_counted_guard_and_skip_reason_has_its_key() -> None:
    for name in GUARDS:
        Stat.guard(name)  # a ValueError when the guard has no counter
    for reason in SkipReason:
        Stat.skipped(reason)
    assert len(Stat.__members__) == len(Stat)  # no two counters share a key (an alias)
    assert all(type(key) is str for key in STAT_KEYS)  # plain strings on the wire
