"""aiohttp: the reference client, driven through exactly the same adapter as cyhttp."""

import aiohttp

from bench.clients._session_adapter import session_adapter

Adapter = session_adapter(aiohttp, "aiohttp")
