"""One adapter per client, all driven by the same loop in ``bench.worker``.

``Adapter(setup)`` builds the client as a pattern's ``Setup`` asks (connection limits,
cookies in the jar, one pass-through middleware) and raises ``NotImplementedError``
for what the client cannot do (reported as "n/a").  It offers ``get(url) -> int`` (body
bytes), ``get_headers(url, headers)``, ``post(url, body)``, ``post_json(url, doc)``,
``ws_open(url)``, ``ws_echo(ws, payload) -> int`` and ``close()``; a client without
WebSocket (httpx) leaves ``ws_open`` as None.
"""

from __future__ import annotations

import importlib


def load(name: str):
    module = importlib.import_module(f"bench.clients.{name.replace('-', '_')}_client")
    return module.Adapter
