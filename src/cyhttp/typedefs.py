"""aiohttp's ``typedefs`` import path: the type aliases users annotate with.

A façade: re-exports only (the aliases live in ``_http/typedefs.py``).
"""

from ._http.typedefs import (
    LooseHeaders,
    Query,
    StrOrURL,
)

__all__ = (
    "LooseHeaders",
    "Query",
    "StrOrURL",
)
