"""aiohttp's ``formdata`` import path: ``FormData``.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._http.formdata import (
    FormData,
)

__all__ = (
    "FormData",
)
