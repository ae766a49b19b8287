"""A request's bytes: its Cookie header value, whether its headers changed, the one write.

How this works: ``cookie_header`` joins a jar's filtered cookies as ``SimpleCookie`` would
(without building one) or merges given cookies into an existing Cookie value;
``headers_version`` reads multidict's change counter (a request's head is reused while it is
unchanged); ``write_request`` readies the protocol for the response and puts the head and a
bytes body on the transport in one write — what ``ClientRequest._send_now`` and the request
path's in-line send both call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from http.cookies import BaseCookie, Morsel, SimpleCookie
from typing import Any, cast

from multidict import CIMultiDict, MultiDict, getversion

from .._http.cookie_parse import make_morsel
from .exceptions import ClientConnectionResetError

__all__ = ("cookie_header", "headers_version", "write_request")


def cookie_header(cookies: Any, existing: str | None = None) -> str:
    """The Cookie header value for ``cookies`` (a mapping, pairs, or a jar's filtered
    cookies), after the pairs of an ``existing`` value."""
    if not existing and isinstance(cookies, BaseCookie):
        morsels = sorted(cookies.items())
        if not any(any(m.values()) for _, m in morsels):
            # A jar's filtered cookies: bare name=value morsels, joined as SimpleCookie's
            # output() would (sorted, "; ", the whole stripped), without building one.
            return "; ".join(f"{m.key}={m.coded_value}" for _, m in morsels).strip()
    jar: SimpleCookie = SimpleCookie()
    if existing:
        jar.load(existing)
    items = cookies.items() if isinstance(cookies, Mapping) else cookies
    for name, value in items:
        if isinstance(value, Morsel):
            # Stored as given: jars keep names http.cookies' strict key check refuses.
            dict.__setitem__(jar, name, make_morsel(value.key, value.value, value.coded_value))
        else:
            jar[name] = value
    return jar.output(header="", sep=";").strip()


def headers_version(headers: CIMultiDict[str]) -> int:
    """multidict's change counter of ``headers`` (unchanged version: unchanged headers)."""
    return getversion(cast("MultiDict[object]", headers))


def write_request(protocol: Any, method: str, head: bytes, body: bytes | None, read_until_eof: bool = True,
                  auto_decompress: bool = True, read_bufsize: int = 2**16, read_timeout: float | None = None,
                  deadline: float | None = None, limits: tuple[int, int, int] = (8190, 8190, 128)
                  ) -> asyncio.Future[Any]:
    """Get ``protocol`` ready for the response to ``method`` (how to read it: the rest of the
    arguments, ``ResponseHandler.start_response``'s), then write ``head`` and a bytes ``body`` —
    in one ``transport.write`` below 1 MiB.  Returns the response head's future."""
    waiter: asyncio.Future[Any] = protocol.start_response(
        method, read_until_eof, auto_decompress, read_bufsize, read_timeout, deadline, limits)
    transport = protocol.transport
    if transport is None or transport.is_closing():
        protocol._waiter = None
        raise ClientConnectionResetError("Cannot write to closing transport")
    if body is None:
        transport.write(head)
    elif len(body) < 1 << 20:
        transport.write(head + body)
    else:
        transport.write(head)
        transport.write(body)
    return waiter
