"""aiohttp's ``resolver`` import path: the DNS resolvers.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._client.connector.resolver import (
    AbstractResolver,
    AsyncResolver,
    DefaultResolver,
    ResolveResult,
    ThreadedResolver,
)

__all__ = (
    "AbstractResolver",
    "ResolveResult",
    "ThreadedResolver",
    "AsyncResolver",
    "DefaultResolver",
)
