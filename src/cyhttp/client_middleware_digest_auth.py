"""aiohttp's ``client_middleware_digest_auth`` import path: ``DigestAuthMiddleware``.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._client.digest_auth import (
    SUPPORTED_ALGORITHMS,
    DigestAuthMiddleware,
    parse_challenges,
)

__all__ = (
    "DigestAuthMiddleware",
    "parse_challenges",
    "SUPPORTED_ALGORITHMS",
)
