"""aiohttp's ``cookiejar`` import path: ``CookieJar`` and ``DummyCookieJar``.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._client.cookiejar import (
    CookieJar,
    DummyCookieJar,
)

__all__ = (
    "CookieJar",
    "DummyCookieJar",
)
