"""A corrupt compressed WebSocket message fails with one close code, however it is split.

The fuzz finding: a compressed text message whose inflated start is invalid UTF-8 and
whose deflate data is corrupt further on gave 1002 when fed whole (zlib drops the output
of a call that fails) and 1007 when split (the start was inflated and checked first).
As aiohttp, the reader now judges a compressed message whole: inflation errors (corrupt
data 1002, too big 1009, whichever comes first in the stream) outrank invalid UTF-8 in
its text (1007).  Both twins, whole, byte by byte and at random splits, and aiohttp's own
reader as the reference for which error wins (its zlib error is our 1002).
"""

from __future__ import annotations

import asyncio
import random
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyhttp._core import _ws_reader_c, _ws_reader_py
from cyhttp._core.errors import WSInvalidUTF8, WSMessageTooBig, WSProtocolError
from tests.conftest import twin_fixture

from .test_ws_reader import KEY, deflate, frame

twin = twin_fixture("ws_reader")

# A distance that reaches before the start of the stream: zlib's "invalid distance too far
# back", found only once the bytes before it were inflated.
FAR = b"\xff\xff\xff\xff\xff"


def corrupt_after(plain: bytes, keep: int = 3) -> bytes:
    """The deflate data of ``plain`` with its last ``keep`` bytes replaced by garbage."""
    return deflate([plain])[0][:-keep] + FAR


BAD_START = b"ok\xff" + b"a" * 50  # invalid UTF-8 near the start
BIG = bytes(range(256)) * 20  # 5120 bytes, barely compressible

# (id, wire, reader kwargs, (error type, code))
CASES = [
    ("utf8-then-corrupt", frame(1, corrupt_after(BAD_START), rsv1=True), {},
     (WSProtocolError, 1002)),
    ("utf8-then-corrupt-masked", frame(1, corrupt_after(BAD_START), rsv1=True, mask=KEY),
     {"expect_masked": True}, (WSProtocolError, 1002)),
    ("utf8-then-corrupt-fragmented",
     frame(1, corrupt_after(BAD_START)[:6], rsv1=True, fin=False)
     + frame(0, corrupt_after(BAD_START)[6:]), {}, (WSProtocolError, 1002)),
    ("utf8-then-corrupt-ping-between",
     frame(1, corrupt_after(BAD_START)[:6], rsv1=True, fin=False) + frame(9, b"p")
     + frame(0, corrupt_after(BAD_START)[6:]), {}, (WSProtocolError, 1002)),
    ("utf8-then-too-big", frame(1, deflate([b"\xff" + BIG])[0], rsv1=True),
     {"max_msg_size": 1000}, (WSMessageTooBig, 1009)),
    ("utf8-then-too-big-fragmented",
     frame(1, deflate([b"\xff" + BIG])[0][:5], rsv1=True, fin=False)
     + frame(0, deflate([b"\xff" + BIG])[0][5:]), {"max_msg_size": 1000},
     (WSMessageTooBig, 1009)),
    ("too-big-then-corrupt", frame(2, corrupt_after(BIG), rsv1=True), {"max_msg_size": 1000},
     (WSMessageTooBig, 1009)),
    ("corrupt-then-too-big", frame(2, b"\xff\xff" + deflate([BIG])[0], rsv1=True),
     {"max_msg_size": 1000}, (WSProtocolError, 1002)),
    ("utf8-only", frame(1, deflate([BAD_START])[0], rsv1=True), {}, (WSInvalidUTF8, 1007)),
    ("utf8-truncated-at-end", frame(1, deflate([b"abc\xe2\x82"])[0], rsv1=True), {},
     (WSInvalidUTF8, 1007)),
    ("binary-corrupt", frame(2, corrupt_after(BAD_START), rsv1=True), {},
     (WSProtocolError, 1002)),
]


def outcome(reader, chunks: list[bytes]) -> tuple:
    got: list = []
    for chunk in chunks:
        try:
            got += reader.feed(chunk)
        except WSProtocolError as exc:
            return got + exc.messages, type(exc), exc.code
    return got, None, None


def splittings(data: bytes, seed: int, count: int = 20):
    yield [data]
    yield [data[i:i + 1] for i in range(len(data))]
    rnd = random.Random(seed)
    for _ in range(count):
        cuts = sorted(rnd.sample(range(1, len(data)), min(len(data) - 1, rnd.randint(1, 10))))
        bounds = [0, *cuts, len(data)]
        yield [data[a:b] for a, b in zip(bounds, bounds[1:])]


@pytest.mark.parametrize("wire,kwargs,error", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_one_code_whatever_the_split(twin, wire, kwargs, error):
    for i, chunks in enumerate(splittings(wire, seed=len(wire))):
        got, exc_type, code = outcome(twin.FrameReader(compress=True, **kwargs), chunks)
        assert (exc_type, code) == error, i
        assert [m.type for m in got] == [9] * wire.count(frame(9, b"p"))  # only the ping


def aiohttp_code(wire: bytes, kwargs: dict) -> int | None:
    """aiohttp 3.14's reader on the same bytes: its close code, 1002 for its zlib error."""
    from aiohttp._websocket.reader import WebSocketDataQueue, WebSocketReader

    class Protocol:
        _reading_paused = False

        def pause_reading(self) -> None: ...

        def resume_reading(self) -> None: ...

    loop = asyncio.new_event_loop()
    try:
        queue = WebSocketDataQueue(Protocol(), 1 << 20, loop=loop)
        reader = WebSocketReader(queue, kwargs.get("max_msg_size", 4 * 1024 * 1024),
                                 compress=True, decode_text=True)
        reader.feed_data(wire)
        exc = queue.exception()
    finally:
        loop.close()
    if exc is None:
        return None
    return 1002 if isinstance(exc, zlib.error) else int(exc.code)


UNMASKED = [c for c in CASES if not c[2].get("expect_masked")]  # aiohttp's reader: a client's


@pytest.mark.parametrize("wire,kwargs,error", [c[1:] for c in UNMASKED], ids=[c[0] for c in UNMASKED])
def test_same_error_wins_as_in_aiohttp(wire, kwargs, error):
    assert aiohttp_code(wire, kwargs) == error[1]


# -- random corrupt compressed messages: one outcome per twin and per splitting --------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_compressed_messages(data):
    text = data.draw(st.booleans())
    if text:
        plain = data.draw(st.text(max_size=300)).encode()
        if data.draw(st.booleans()):
            at = data.draw(st.integers(0, len(plain)))
            plain = plain[:at] + data.draw(st.sampled_from([b"\xff", b"\xed\xa0\x80", b"\xc0"])) + plain[at:]
    else:
        plain = data.draw(st.binary(max_size=300))
    payload = bytearray(deflate([plain])[0])
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(payload)))
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if action == "insert" or not payload:
            payload[at:at] = data.draw(st.binary(min_size=1, max_size=3))
        elif action == "flip":
            payload[min(at, len(payload) - 1)] ^= data.draw(st.integers(1, 255))
        else:
            del payload[min(at, len(payload) - 1)]
    cuts = sorted(data.draw(st.lists(st.integers(0, len(payload)), max_size=3)))
    bounds = [0, *cuts, len(payload)]
    parts = [bytes(payload[a:b]) for a, b in zip(bounds, bounds[1:])]
    wire = b"".join(frame((1 if text else 2) if i == 0 else 0, part, fin=i == len(parts) - 1,
                          rsv1=i == 0) for i, part in enumerate(parts))
    kwargs = {"compress": True, "max_msg_size": data.draw(st.sampled_from([0, 100, 4096]))}
    expected = outcome(_ws_reader_py.FrameReader(**kwargs), [wire])
    for chunks in splittings(wire, seed=data.draw(st.integers(0, 1 << 30)), count=4):
        for mod in (_ws_reader_py, _ws_reader_c):
            assert outcome(mod.FrameReader(**kwargs), chunks) == expected
