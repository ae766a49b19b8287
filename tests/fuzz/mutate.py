"""Structured mutations of wire bytes (HTTP/1 heads and bodies, chunked framing, frames).

Each mutator takes a ``random.Random`` and a ``bytearray`` and changes it in place; the
choice of mutator is weighted so that the common attacks on HTTP parsers come often:
CR / LF / NUL / SP / TAB / colon insertions near line ends, digit and length games,
duplicated, folded, dropped and swapped lines, CRLF / LF swaps, case games, known
framing fields dropped in, truncation, splices, and plain byte noise.
"""

from __future__ import annotations

import random
import re
from typing import Callable, Iterator, Sequence

Mutator = Callable[[random.Random, bytearray], None]

SPECIAL = b"\r\n\x00 \t:;=,\"\\\x7f\x80\xff-+0"
SPECIAL_WEIGHTED = b"\r\r\n\n\x00 \t:;=,\"\\\x7f\x80\xff-+09aFxX\x01\x0b\x0c"
_DIGITS = re.compile(rb"[0-9A-Fa-f]+")
_DECIMAL = re.compile(rb"[0-9]+")
_WORD = re.compile(rb"[A-Za-z][A-Za-z-]+")
_CONTENT_LENGTH = re.compile(rb"(?i)content-length:[ \t]*([0-9]+)")
_CHUNK_SIZE = re.compile(rb"(?:^|\n)([0-9a-fA-F]+)(?=[\r;\n \t])")
_WS_MARK = re.compile(rb"[:;=]|\r\n")
FIELDS = [
    b"Transfer-Encoding: chunked\r\n", b"Content-Length: 5\r\n", b"Content-Length: 0\r\n",
    b"Connection: close\r\n", b"Connection: keep-alive\r\n",
    b"Upgrade: websocket\r\nConnection: Upgrade\r\n", b"Expect: 100-continue\r\n",
    b"Host: x\r\n", b"Transfer-Encoding: gzip\r\n", b"Transfer-Encoding: chunked, chunked\r\n",
    b"Content-Length: 1, 1\r\n", b"Content-Encoding: gzip\r\n", b"X: \xff\xfe\r\n",
    b"Transfer-Encoding:\tchunked\r\n", b"Transfer-Encoding : chunked\r\n", b" X: folded\r\n",
    b"\r\n", b"0\r\n\r\n", b"HTTP/1.1 200 OK\r\n", b"GET / HTTP/1.1\r\n",
]
NUMBERS = [
    b"0", b"1", b"-1", b"+1", b"00", b"007", b"9" * 19, b"9" * 40, b"18446744073709551616",
    b"9223372036854775807", b"9223372036854775808", b"7fffffffffffffff", b"8000000000000000",
    b"ffffffffffffffff", b"10000000000000000", b"0" * 17 + b"1", b"0x10", b"1e3", b"1.0", b"",
    b" 1", b"1 ", b"1,1", b"1, 2", "\u0661".encode(), "\uff15".encode(), b"\xb9",
]


def lines(data: bytearray) -> list[tuple[int, int]]:
    """(start, end) of each line, the end just past its LF (or the end of data)."""
    out = []
    start = 0
    while start < len(data):
        lf = data.find(b"\n", start)
        end = len(data) if lf < 0 else lf + 1
        out.append((start, end))
        start = end
    return out


def _line(rng: random.Random, data: bytearray) -> tuple[int, int]:
    """(start, end) of a random line (``data`` not empty); O(line), not O(data)."""
    pos = rng.randrange(len(data))
    start = data.rfind(b"\n", 0, pos) + 1
    lf = data.find(b"\n", pos)
    return start, len(data) if lf < 0 else lf + 1


_MARKS = b"\r\n:; ="


def _pos(rng: random.Random, data: bytearray) -> int:
    """A position, often right at a line end or after a colon / semicolon / space."""
    n = len(data)
    if n and rng.random() < 0.5:
        start = rng.randrange(n)
        at = data.find(_MARKS[rng.randrange(6)], start)
        if at < 0:
            at = data.find(_MARKS[rng.randrange(6)])
        if at >= 0:
            return min(n, at + rng.choice((0, 0, 1, 2)))
    return rng.randint(0, n)


def insert_special(rng: random.Random, data: bytearray) -> None:
    at = _pos(rng, data)
    byte = rng.choice(SPECIAL_WEIGHTED)
    data[at:at] = bytes([byte]) * rng.choice((1, 1, 1, 2, 3))


def replace_special(rng: random.Random, data: bytearray) -> None:
    if data:
        data[min(_pos(rng, data), len(data) - 1)] = rng.choice(SPECIAL_WEIGHTED)


def delete_bytes(rng: random.Random, data: bytearray) -> None:
    if data:
        at = min(_pos(rng, data), len(data) - 1)
        del data[at:at + rng.choice((1, 1, 1, 2, 4, 16))]


def flip_bit(rng: random.Random, data: bytearray) -> None:
    if data:
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)


def random_byte(rng: random.Random, data: bytearray) -> None:
    if data:
        data[rng.randrange(len(data))] = rng.randrange(256)


def digit_game(rng: random.Random, data: bytearray) -> None:
    """Replace a run of (hex) digits: off by one, zero, huge, signed, padded, foreign."""
    if not data:
        return
    pattern = _DECIMAL if rng.random() < 0.5 else _DIGITS
    m = pattern.search(data, rng.randrange(len(data))) or pattern.search(data)
    if m is None:
        return
    digits = m.group()
    choice = rng.random()
    if choice < 0.35 and digits.isdigit() and len(digits) < 18:
        new = b"%d" % max(0, int(digits) + rng.choice((-2, -1, 1, 2, 10)))
    elif choice < 0.5:
        try:
            value = int(digits, 16) + rng.choice((-1, 1, 16))
            new = b"%x" % max(0, value)
        except ValueError:
            new = b"1"
    elif choice < 0.6:
        new = b"0" * rng.randint(1, 20) + digits
    elif choice < 0.7:
        new = digits.upper() if rng.random() < 0.5 else digits + digits
    else:
        new = rng.choice(NUMBERS)
    data[m.start():m.end()] = new


def length_game(rng: random.Random, data: bytearray) -> None:
    """Make a Content-Length or a chunk size disagree with what follows (a little)."""
    if not data:
        return
    start = rng.randrange(len(data))
    base = 10 if rng.random() < 0.5 else 16
    pattern = _CONTENT_LENGTH if base == 10 else _CHUNK_SIZE
    m = pattern.search(data, start) or pattern.search(data)
    if m is None:
        return
    digits = m.group(1)
    try:
        value = int(digits, base)
    except ValueError:
        return
    value = max(0, value + rng.choice((-3, -1, 1, 2, 100, 1 << 20)))
    new = (b"%d" if base == 10 else b"%x") % value
    data[m.start(1):m.end(1)] = new


def duplicate_line(rng: random.Random, data: bytearray) -> None:
    if data:
        start, end = _line(rng, data)
        at = rng.choice((start, end))
        data[at:at] = data[start:end]


def drop_line(rng: random.Random, data: bytearray) -> None:
    if data:
        start, end = _line(rng, data)
        del data[start:end]


def swap_lines(rng: random.Random, data: bytearray) -> None:
    if data:
        a, b = _line(rng, data)
        if b < len(data):
            lf = data.find(b"\n", b)
            d = len(data) if lf < 0 else lf + 1
            data[a:d] = data[b:d] + data[a:b]


def fold_line(rng: random.Random, data: bytearray) -> None:
    """obs-fold: a line break and whitespace inside a line, or a line made a continuation."""
    if not data:
        return
    start, end = _line(rng, data)
    if end - start <= 3:
        return
    if rng.random() < 0.5:
        at = rng.randint(start + 1, end - 2)
        data[at:at] = rng.choice((b"\r\n ", b"\r\n\t", b"\n ", b"\r\n  \t"))
    else:
        data[start:start] = rng.choice((b" ", b"\t"))


def line_ending_game(rng: random.Random, data: bytearray) -> None:
    """CRLF → LF or CR, LF → CRLF, one or all of them."""
    if not data:
        return
    start = rng.randrange(len(data))
    if rng.random() < 0.7:
        if rng.random() < 0.15:
            data[:] = data.replace(b"\r\n", rng.choice((b"\n", b"\r", b"\r\r\n")))
            return
        at = data.find(b"\r\n", start)
        if at >= 0:
            data[at:at + 2] = rng.choice((b"\n", b"\r", b"\n\r", b"\r\r\n", b"\r\n\r\n"))
    else:
        at = data.find(b"\n", start)
        if at >= 0:
            data[at:at + 1] = b"\r\n"


def case_game(rng: random.Random, data: bytearray) -> None:
    m = _WORD.search(data, rng.randrange(len(data))) if data else None
    if m is None:
        return
    word = m.group()
    choice = rng.random()
    if choice < 0.3:
        new = word.upper()
    elif choice < 0.6:
        new = word.lower()
    elif choice < 0.8:
        new = word.swapcase()
    else:  # a look-alike letter outside ASCII (the Kelvin sign, a dotless i ...)
        new = word.replace(b"k", "\u212a".encode(), 1).replace(b"i", "\u0131".encode(), 1)
    data[m.start():m.end()] = new


def insert_field(rng: random.Random, data: bytearray) -> None:
    at = _line(rng, data)[1] if data else 0
    data[at:at] = rng.choice(FIELDS)


def truncate(rng: random.Random, data: bytearray) -> None:
    if data:
        del data[rng.randint(0, len(data) - 1):]


def repeat_segment(rng: random.Random, data: bytearray) -> None:
    if data:
        a = rng.randrange(len(data))
        b = min(len(data), a + rng.randint(1, 8))
        data[b:b] = data[a:b] * rng.choice((2, 8, 64, 300))


def whitespace_game(rng: random.Random, data: bytearray) -> None:
    """SP / HTAB around ':' ';' '=' and before line ends."""
    m = _WS_MARK.search(data, rng.randrange(len(data))) if data else None
    if m is not None:
        at = m.start() + rng.choice((0, 1))
        data[at:at] = rng.choice((b" ", b"\t", b"  ", b" \t"))


MUTATORS: list[tuple[Mutator, int]] = [
    (insert_special, 14), (replace_special, 8), (delete_bytes, 6), (flip_bit, 3),
    (random_byte, 3), (digit_game, 10), (length_game, 8), (duplicate_line, 6),
    (drop_line, 4), (swap_lines, 3), (fold_line, 5), (line_ending_game, 8), (case_game, 4),
    (insert_field, 6), (truncate, 5), (repeat_segment, 2), (whitespace_game, 6),
]
_WEIGHTED: list[Mutator] = [m for m, weight in MUTATORS for _ in range(weight)]


def mutate(rng: random.Random, data: bytes, extra: list[Mutator] | None = None,
           max_rounds: int = 4, splice_pool: list[bytes] | None = None) -> bytes:
    """``data`` changed by 1 to ``max_rounds`` weighted mutations (``extra`` ones too)."""
    buf = bytearray(data)
    weighted = _WEIGHTED
    rounds = 1 if max_rounds == 1 else rng.choice(_ROUNDS[:max_rounds * 2])
    for _ in range(rounds):
        r = rng.random()
        if extra and r < 0.3:
            rng.choice(extra)(rng, buf)
        elif splice_pool and r > 0.96:
            other = rng.choice(splice_pool)
            at = rng.randint(0, len(buf))
            a = rng.randint(0, len(other))
            buf[at:at] = other[a:a + rng.randint(1, 64)]
        else:
            rng.choice(weighted)(rng, buf)
    return bytes(buf)


_ROUNDS = (1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4)  # mostly one or two mutations


def random_cuts(rng: random.Random, n: int) -> list[int]:
    """Sorted distinct cut points inside ``n`` bytes: a few, or small pieces all along."""
    if n < 2:
        return []
    r = rng.random()
    if r < 0.15:  # small pieces all along: 1..7 bytes each
        cuts = []
        pos = 1 + int(rng.random() * 7)
        random_ = rng.random
        while pos < n:
            cuts.append(pos)
            pos += 1 + int(random_() * 7)
        return cuts
    m = n - 1
    return sorted({1 + int(rng.random() * m) for _ in range(1 + int(r * 6))})


_ONE = [bytes([i]) for i in range(256)]


class Bytewise:
    """``data`` one byte at a time (shared 1-byte objects, made lazily on each pass)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self) -> Iterator[bytes]:
        return map(_ONE.__getitem__, self.data)

    def __len__(self) -> int:
        return len(self.data)


def pieces(data: bytes, cuts: list[int]) -> Sequence[bytes] | Bytewise:
    if len(cuts) == len(data) - 1 and len(data) > 1 and cuts[-1] == len(data) - 1:
        return Bytewise(data)  # byte by byte
    bounds = [0, *[c for c in cuts if 0 < c < len(data)], len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


__all__ = ("MUTATORS", "mutate", "random_cuts", "pieces", "lines")
