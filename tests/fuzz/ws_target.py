"""Fuzz target for the WebSocket frame reader twins.

Seeds are streams of frames made from random messages: text (sometimes invalid UTF-8)
and binary, fragmented or not, compressed with permessage-deflate when the reader
negotiated it (context takeover or not, small windows), masked when the reader expects
masking, control frames between fragments, a close (valid or not) at the end and
sometimes bytes after it.  Mutations: the generic ones plus frame-aware ones applied at
a real frame start (flags, opcode, mask bit, 7/16/64-bit length games, an inserted
frame).  An outcome is the messages delivered (type, data type, data, extra) and, for
an error, its type, close code, and what a later feed raises (the reader is spent).
"""

from __future__ import annotations

import random
import zlib
from typing import Any

from cyhttp._core import _ws_reader_c, _ws_reader_py
from cyhttp._core.errors import ParseError

from .engine import Escape, Invariant
from .mutate import mutate

OPTIONS: list[dict[str, Any]] = [
    {},
    {"compress": True},
    {"expect_masked": True},
    {"compress": True, "expect_masked": True, "max_msg_size": 200},
    {"decode_text": False},
    {"compress": True, "server_notakeover": True, "server_window_bits": 9},
    {"max_msg_size": 0, "compress": True},
    {"max_msg_size": 64},
]
CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1011, 3000, 4999, 1004, 1005, 1006, 999, 5000, 0]
TEXTS = ["", "a", "hello", "héllo €𝄞", "x" * 130, "✓" * 50, "ab" * 70]
BAD_UTF8 = [b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"]


def xor(data: bytes, key: bytes) -> bytes:
    return bytes(b ^ key[i & 3] for i, b in enumerate(data))


def frame(op: int, payload: bytes, *, fin: bool = True, rsv1: bool = False,
          key: bytes | None = None, ext: int | None = None) -> bytes:
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | op
    n = len(payload)
    m = 0x80 if key is not None else 0
    if ext == 64 or n > 0xFFFF:
        head = bytes((b0, m | 127)) + n.to_bytes(8, "big")
    elif ext == 16 or n > 125:
        head = bytes((b0, m | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((b0, m | n))
    if key is not None:
        return head + key + xor(payload, key)
    return head + payload


def stream(rng: random.Random, opts: dict[str, Any]) -> tuple[bytes, list[int]]:
    """A valid (or nearly: sometimes bad text) frame stream and its frame starts."""
    masked = opts.get("expect_masked", False)
    compress = opts.get("compress", False)
    notakeover = opts.get("server_notakeover", False)
    wbits = opts.get("server_window_bits", 15)
    comp = None
    out = bytearray()
    starts: list[int] = []

    def key() -> bytes | None:
        return bytes(rng.randrange(256) for _ in range(4)) if masked else None

    def add(f: bytes) -> None:
        starts.append(len(out))
        out.extend(f)

    def control() -> None:
        op = rng.choice((9, 10))
        add(frame(op, bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 5, 125)))), key=key()))

    for _ in range(rng.choice((0, 1, 1, 1, 2, 2, 3, 4))):
        if rng.random() < 0.2:
            control()
            continue
        if rng.random() < 0.55:
            op = 1
            raw = rng.choice(TEXTS).encode()
            if rng.random() < 0.05:
                at = rng.randint(0, len(raw))
                raw = raw[:at] + rng.choice(BAD_UTF8) + raw[at:]
        else:
            op = 2
            raw = bytes(rng.randrange(256) for _ in range(rng.choice((0, 1, 10, 10, 40, 126))))
        deflate = compress and rng.random() < 0.7
        payload = raw
        if deflate:
            if comp is None or notakeover:
                comp = zlib.compressobj(rng.choice((1, 6, 9)), zlib.DEFLATED, -min(wbits, rng.choice((9, 12, 15))))
            payload = (comp.compress(raw) + comp.flush(zlib.Z_SYNC_FLUSH))[:-4]
        count = rng.choice((1, 1, 1, 2, 3))
        cuts = sorted(rng.randint(0, len(payload)) for _ in range(count - 1))
        bounds = [0, *cuts, len(payload)]
        for i, (a, b) in enumerate(zip(bounds, bounds[1:])):
            last = i == len(bounds) - 2
            ext = rng.choice((None, None, None, None, 16, 64))
            add(frame(op if i == 0 else 0, payload[a:b], fin=last, rsv1=deflate and i == 0,
                      key=key(), ext=ext))
            if not last and rng.random() < 0.25:
                control()
    if rng.random() < 0.4:
        r = rng.random()
        if r < 0.1:
            body = b""
        else:
            code = rng.choice(CLOSE_CODES[:9]) if r < 0.8 else rng.choice(CLOSE_CODES)
            reason = rng.choice(("", "bye", "é", "x" * 123)).encode()
            if rng.random() < 0.05:
                reason = b"\xff"
            body = code.to_bytes(2, "big") + reason[:123]
        add(frame(8, body, key=key()))
        if rng.random() < 0.2:
            out += b"\x81\x02after"
    return bytes(out), starts


_HEADER_XOR = (0x80, 0x40, 0x20, 0x10, 0x0F, 0x08, 0x01, 0x03, 0x0B, 0x89)


def frame_game(rng: random.Random, data: bytearray, starts: list[int]) -> None:
    """A mutation at a real frame start: flags/opcode, mask bit, length, inserted frame."""
    at = rng.choice(starts)
    r = rng.random()
    if r < 0.35 and at < len(data):
        data[at] ^= rng.choice(_HEADER_XOR)
    elif r < 0.5 and at + 1 < len(data):
        data[at + 1] ^= 0x80
    elif r < 0.8 and at + 1 < len(data):
        mask = data[at + 1] & 0x80
        choice = rng.random()
        if choice < 0.4:
            data[at + 1] = mask | rng.choice((0, 1, 124, 125, 126, 127))
        elif choice < 0.7 and at + 4 <= len(data):  # a 16-bit length read from what follows
            data[at + 1] = mask | 126
        else:
            data[at + 1] = mask | 127
            data[at + 2:at + 2] = rng.choice((b"\x00" * 8, b"\x80" + b"\x00" * 7,
                                               b"\x00\x00\x00\x00\x00\x00\x00\x7e", b"\xff" * 8))
    else:
        op = rng.choice((0, 1, 2, 3, 8, 9, 10, 11))
        payload = rng.choice((b"", b"x", b"\x03\xe8", b"\x03\xe8\xff", b"\x03", b"p" * 126))
        data[at:at] = frame(op, payload, fin=rng.random() < 0.8, rsv1=rng.random() < 0.2,
                            key=bytes(4) if rng.random() < 0.5 else None)


class WSReaderTarget:
    name = "ws_reader"
    split = True
    options = OPTIONS
    mods = (_ws_reader_py, _ws_reader_c)

    def __init__(self, seed: int = 0, pool: int = 250) -> None:
        rng = random.Random(seed)
        self.pools = [[stream(rng, opts) for _ in range(pool)] for opts in OPTIONS]

    def generate(self, rng: random.Random) -> tuple[bytes, int]:
        k = rng.randrange(len(OPTIONS))
        data, starts = rng.choice(self.pools[k])
        if rng.random() < 0.1:
            return data, k
        if starts and rng.random() < 0.6:
            buf = bytearray(data)
            frame_game(rng, buf, starts)
            data = bytes(buf)
            if rng.random() < 0.5:
                return data, k
        return mutate(rng, data, max_rounds=2), k

    def outcome(self, twin: int, data: bytes, chunks: list[bytes] | None, opts: Any) -> tuple:
        reader = self.mods[twin].FrameReader(**opts)
        msgs: list[Any] = []
        try:
            try:
                for got in map(reader.feed, [data] if chunks is None else chunks):
                    if got:
                        msgs += got
            except ParseError as exc:
                msgs += exc.messages  # type: ignore[attr-defined]
                try:
                    reader.feed(b"\x89\x00")
                    again: Any = "no error after an error"
                except ParseError as exc2:
                    again = (type(exc2).__name__, exc2.args, exc2.messages)  # type: ignore[attr-defined]
                    if type(exc2) is not type(exc) or exc2.args != exc.args or exc2.messages:  # type: ignore[attr-defined]
                        raise Invariant(f"spent reader raised {exc2!r} after {exc!r}") from None
                return ("error", type(exc).__name__, getattr(exc, "code", None), _msgs(msgs), again)
        except (Invariant, Escape):
            raise
        except Exception as exc:
            raise Escape() from exc
        return ("ok", _msgs(msgs))


def _msgs(msgs: list[Any]) -> tuple:
    return tuple((int(m[0]), m[1].__class__.__name__, m[1], m[2]) for m in msgs)


__all__ = ("WSReaderTarget", "frame", "stream")
