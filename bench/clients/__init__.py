"""One adapter per client, all driven by the same loop in ``bench.worker``.

An adapter offers ``get(url) -> int`` (body bytes), ``post(url, body) -> int``,
``ws_open(url)``, ``ws_echo(ws, payload) -> int`` and ``close()``; a client that
lacks a feature (httpx has no WebSocket) leaves ``ws_open`` as None.
"""

from __future__ import annotations

import importlib


def load(name: str):
    module = importlib.import_module(f"bench.clients.{name.replace('-', '_')}_client")
    return module.Adapter
