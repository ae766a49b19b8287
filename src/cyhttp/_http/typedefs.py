"""Type aliases for what the public API accepts, under aiohttp's ``typedefs`` names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Union

from multidict import CIMultiDict, CIMultiDictProxy, istr
from yarl import URL, Query

__all__ = ("LooseHeaders", "Query", "StrOrURL")

StrOrURL = Union[str, URL]
# Headers as a user may pass them: any mapping or multidict, or (name, value) pairs.
LooseHeaders = Union[
    Mapping[str, str],
    Mapping[istr, str],
    "CIMultiDict[str]",
    "CIMultiDictProxy[str]",
    Iterable[tuple[Union[str, istr], str]],
]
