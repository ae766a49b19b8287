"""Delta debugging: the smallest input that still fails the same way.

``failing(target, data, opts_index, cuts)`` re-checks one input exhaustively — both twins
whole, byte by byte, at every single cut (inputs up to ``EVERY_CUT_MAX`` bytes) and at the
cuts that first showed the failure (clipped) — and returns the Failure, or None.
``minimise`` shrinks a byte string with ddmin (chunks removed, granularity doubled when
none can go) and then byte by byte, keeping only candidates that fail with the same
signature (kind and exception type); the options are then reset to the plainest set
that still fails.  Structured inputs (the head writer's calls) shrink field by field.
The predicate is pluggable, so a crash (a subprocess dying) minimises the same way.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from .engine import Failure, Target, bytewise_cuts, check

EVERY_CUT_MAX = 400


def failing(target: Target, data: Any, opts_index: int,
            cuts: list[int] | None = None) -> Failure | None:
    variants: list[list[int]] = []
    if target.split and len(data) > 1:
        variants.append(bytewise_cuts(len(data)))
        if len(data) <= EVERY_CUT_MAX:
            variants += [[i] for i in range(1, len(data))]
        if cuts:
            clipped = sorted({c for c in cuts if 0 < c < len(data)})
            if clipped:
                variants.append(clipped)
    try:
        check(target, data, opts_index, None, variants=variants)
    except Failure as failure:
        return failure
    return None


def ddmin(data: bytes, fails: Callable[[bytes], bool], deadline: float) -> bytes:
    """A smaller ``data`` for which ``fails`` still holds (1-minimal when time allows)."""
    n = 2
    while len(data) >= 2 and time.monotonic() < deadline:
        size = max(1, len(data) // n)
        starts = range(0, len(data), size)
        for start in starts:  # complements first: drop one chunk
            candidate = data[:start] + data[start + size:]
            if candidate != data and fails(candidate):
                data = candidate
                n = max(n - 1, 2)
                break
        else:
            if size == 1:
                break
            n = min(len(data), n * 2)
    if len(data) == 1 and fails(data[:0]):
        return data[:0]
    return data


def simplify_bytes(data: bytes, fails: Callable[[bytes], bool], deadline: float) -> bytes:
    """Replace bytes by plainer ones ('a') where the failure stays (makes diffs readable)."""
    out = bytearray(data)
    for i in range(len(out)):
        if time.monotonic() >= deadline:
            break
        if out[i] in b"\r\n :;=\"\\0123456789abcdefABCDEF" or not 0x20 < out[i] < 0x7F:
            continue
        saved = out[i]
        out[i] = 0x61
        if bytes(out) == data or not fails(bytes(out)):
            out[i] = saved
    return bytes(out)


def minimise(target: Target, failure: Failure, seconds: float = 60.0,
             predicate: Callable[[Any, int], Failure | None] | None = None) -> Failure:
    """The smallest failing input found within ``seconds`` (the original if none fails)."""
    deadline = time.monotonic() + seconds
    sig = failure.sig
    cuts = failure.cuts

    def probe(data: Any, opts_index: int) -> Failure | None:
        if predicate is not None:
            return predicate(data, opts_index)
        return failing(target, data, opts_index, cuts)

    first = probe(failure.data, failure.opts_index)
    if first is None or first.sig != sig:
        return failure  # does not reproduce on its own (say: the random cuts mattered)
    best = first
    opts_index = failure.opts_index

    def fails(candidate: Any) -> bool:
        nonlocal best
        got = probe(candidate, opts_index)
        if got is not None and got.sig == sig:
            best = got
            return True
        return False

    if isinstance(failure.data, (bytes, bytearray)):
        data = ddmin(bytes(failure.data), fails, deadline)
        data = simplify_bytes(data, fails, deadline)
    elif getattr(target, "name", "") == "head_writer":
        data = _shrink_call(failure.data, fails, deadline)
    else:
        data = shrink_sequence(failure.data, fails, deadline)
    fails(data)  # ``best`` describes the final input
    for k in range(len(target.options)):  # the plainest options that still fail
        if k >= opts_index:
            break
        got = probe(data, k)
        if got is not None and got.sig == sig:
            best = got
            opts_index = k
            break
    return best


def shrink_sequence(items: tuple, fails: Callable[[Any], bool], deadline: float) -> tuple:
    """A tuple of calls (or of arguments): drop items one at a time, then shorten the
    bytes among each item's arguments (ddmin)."""
    items = tuple(items)
    i = 0
    while i < len(items) and time.monotonic() < deadline:
        candidate = items[:i] + items[i + 1:]
        if fails(candidate):
            items = candidate
        else:
            i += 1
    for i, item in enumerate(items):
        parts = item if isinstance(item, tuple) else (item,)
        for j, part in enumerate(parts):
            if isinstance(part, bytes) and len(part) > 1:
                def rebuild(b: bytes, i: int = i, j: int = j) -> tuple:
                    cur = items[i] if isinstance(items[i], tuple) else (items[i],)
                    new = cur[:j] + (b,) + cur[j + 1:]
                    return items[:i] + ((new if isinstance(items[i], tuple) else b),) + items[i + 1:]

                small = ddmin(part, lambda b: fails(rebuild(b)), deadline)
                items = rebuild(small)
                parts = items[i] if isinstance(items[i], tuple) else (items[i],)
    return items


def _shrink_call(call: tuple, fails: Callable[[Any], bool], deadline: float) -> tuple:
    """Head writer calls: drop fields, then shorten each text (ddmin on its characters)."""
    kind, a, b, c, container, headers = call
    headers = list(headers)
    i = 0
    while i < len(headers) and time.monotonic() < deadline:
        candidate = headers[:i] + headers[i + 1:]
        if fails((kind, a, b, c, container, candidate)):
            headers = candidate
        else:
            i += 1
    if fails((kind, a, b, c, "list", headers)):
        container = "list"

    def shorter(text: Any, rebuild: Callable[[Any], tuple]) -> Any:
        if not isinstance(text, str) or not text:
            return text
        as_bytes = text.encode("utf-8", "surrogatepass")
        shrunk = ddmin(as_bytes, lambda cand: _decodes(cand) and fails(rebuild(_dec(cand))), deadline)
        return _dec(shrunk)

    a = shorter(a, lambda t: (kind, t, b, c, container, headers))
    b = shorter(b, lambda t: (kind, a, t, c, container, headers))
    c = shorter(c, lambda t: (kind, a, b, t, container, headers))
    for j, pair in enumerate(list(headers)):
        if isinstance(pair, tuple) and len(pair) == 2:
            def with_name(t: Any, j: int = j) -> tuple:
                return (kind, a, b, c, container,
                        headers[:j] + [(t, headers[j][1])] + headers[j + 1:])

            def with_value(t: Any, j: int = j) -> tuple:
                return (kind, a, b, c, container,
                        headers[:j] + [(headers[j][0], t)] + headers[j + 1:])

            name = shorter(pair[0], with_name)
            headers[j] = (name, pair[1])
            value = shorter(pair[1], with_value)
            headers[j] = (name, value)
    return (kind, a, b, c, container, headers)


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def _dec(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


__all__ = ("failing", "minimise", "ddmin")
