"""Server tests run against the active engine twin: the suite runs twice
(``CYHTTP_REQUIRE_EXTENSIONS=1``, then ``CYHTTP_NO_EXTENSIONS=1``).  Modules that care
about the loop (the protocol reads differently on asyncio and uvloop) set
``BOTH_LOOPS = True`` and run on both."""

from __future__ import annotations

import asyncio
from typing import Any


def pytest_asyncio_loop_factories(config: Any, item: Any) -> dict[str, Any]:
    if getattr(item.module, "BOTH_LOOPS", False):
        try:
            import uvloop
        except ImportError:  # pragma: no cover - uvloop is in the test extra
            pass
        else:
            return {"asyncio": asyncio.new_event_loop, "uvloop": uvloop.new_event_loop}
    return {"asyncio": asyncio.new_event_loop}
