"""Helpers shared by the message parser tests: run a twin over split input, normalise events."""

from __future__ import annotations

from types import ModuleType
from typing import Any, Iterable

from cyhttp._core.errors import ParseError
from cyhttp._core.events import ChunkEnds, EndOfMessage


def head_fields(head: Any) -> tuple:
    """A ResponseHead (or RequestHead) as a plain tuple (the twins' classes differ, their
    fields must not)."""
    if hasattr(head, "method"):
        return (
            "request", head.method, head.path, head.version, tuple(head.headers.items()),
            head.raw_headers, head.content_length, head.chunked, head.keep_alive,
            head.upgrade, head.encoding,
        )
    return (
        "head",
        head.version,
        head.status,
        head.reason,
        tuple(head.headers.items()),
        head.raw_headers,
        head.content_length,
        head.chunked,
        head.keep_alive,
        head.upgrade,
        head.encoding,
    )


def normalise(events: Iterable[Any]) -> list:
    """Heads → tuples; adjacent body pieces joined (splits change how bodies are cut).

    ``ChunkEnds`` events (one per feed, before its payload) are checked (``base`` is the
    body's payload so far, offsets rise) and merged into one ``("chunk_ends", offsets)``
    before the message's end, so the result does not depend on the splits either."""
    out: list = []
    body = 0
    ends: list[int] = []
    for ev in events:
        if isinstance(ev, (bytes, bytearray)):
            assert ev, "empty body piece"
            body += len(ev)
            if out and isinstance(out[-1], bytes):
                out[-1] += bytes(ev)
            else:
                out.append(bytes(ev))
        elif isinstance(ev, ChunkEnds):
            offsets = ev.offsets()
            assert offsets and ev.base == body, (ev, body)
            assert list(offsets) == sorted(set(offsets)) and offsets[0] >= body
            assert not ends or offsets[0] > ends[-1]
            ends.extend(offsets)
        elif isinstance(ev, EndOfMessage):
            if ends:
                assert ends[-1] <= body
                out.append(("chunk_ends", tuple(ends)))
            out.append(("end", ev.trailers))
            ends, body = [], 0
        else:
            out.append(head_fields(ev))
            ends, body = [], 0
    if ends:
        out.append(("chunk_ends", tuple(ends)))
    return out


def pieces(data: bytes, splits: Iterable[int]) -> list[bytes]:
    cuts = sorted({s for s in splits if 0 < s < len(data)})
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


def run(
    mod: ModuleType,
    chunks: list[bytes],
    *,
    method: str | None = None,
    eof: bool = False,
    **kwargs: Any,
) -> tuple[list, bool, bytes]:
    """Feed ``chunks`` (then EOF if asked) → (normalised events, upgraded, unparsed).

    A ParseError escapes with ``delivered`` set: the events earlier feeds returned."""
    parser = mod.ResponseParser(**kwargs)
    if method is not None:
        parser.set_method(method)
    events: list = []
    try:
        for chunk in chunks:
            events.extend(parser.feed(chunk))
        if eof:
            events.extend(parser.feed_eof())
    except ParseError as exc:
        exc.delivered = events
        raise
    return normalise(events), parser.upgraded, parser.unparsed()


def bytewise(data: bytes) -> list[bytes]:
    return [data[i:i + 1] for i in range(len(data))]


def run_requests(
    mod: ModuleType, chunks: list[bytes], *, eof: bool = False, **kwargs: Any,
) -> tuple[list, bool, bytes]:
    """``run`` for a RequestParser: (normalised events, upgraded, unparsed)."""
    parser = mod.RequestParser(**kwargs)
    events: list = []
    try:
        for chunk in chunks:
            events.extend(parser.feed(chunk))
        if eof:
            events.extend(parser.feed_eof())
    except ParseError as exc:
        exc.delivered = events
        raise
    return normalise(events), parser.upgraded, parser.unparsed()
