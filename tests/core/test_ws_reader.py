"""WebSocket frame reader: table tests over both twins (whole, byte by byte, random splits)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tracemalloc
import zlib
from functools import lru_cache

import pytest

from cyhttp._core.errors import WSInvalidUTF8, WSMessageTooBig, WSProtocolError
from cyhttp._core.ws_types import WSMessage, WSMsgType

from ..conftest import twin_fixture

twin = twin_fixture("ws_reader")

TEXT, BINARY, CLOSE = WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CLOSE
PING, PONG = WSMsgType.PING, WSMsgType.PONG
CONT = 0
KEY = b"\x37\xfa\x21\x3d"


# -- frame building (test side, written independently of the reader) ------------

def xor(data: bytes, key: bytes, phase: int = 0) -> bytes:
    return bytes(b ^ key[(i + phase) % 4] for i, b in enumerate(data))


def frame(op: int, payload: bytes = b"", *, fin: bool = True, rsv1: bool = False,
          rsv2: bool = False, rsv3: bool = False, mask: bytes | None = None,
          length: int | None = None, ext: int | None = None) -> bytes:
    """One frame; ``length`` overrides the declared length, ``ext`` forces 16/64-bit."""
    b0 = (0x80 * fin) | (0x40 * rsv1) | (0x20 * rsv2) | (0x10 * rsv3) | op
    n = len(payload) if length is None else length
    m = 0x80 if mask is not None else 0
    if ext == 64 or (ext is None and n > 0xFFFF):
        head = bytes([b0, m | 127]) + n.to_bytes(8, "big")
    elif ext == 16 or (ext is None and n > 125):
        head = bytes([b0, m | 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([b0, m | n])
    if mask is not None:
        head += mask
        payload = xor(payload, mask)
    return head + payload


def deflate(messages: list[bytes], *, takeover: bool = True, wbits: int = 15) -> list[bytes]:
    """permessage-deflate payloads (trailing 00 00 ff ff removed)."""
    out, comp = [], None
    for message in messages:
        if comp is None or not takeover:
            comp = zlib.compressobj(wbits=-wbits)
        data = comp.compress(message) + comp.flush(zlib.Z_SYNC_FLUSH)
        assert data.endswith(b"\x00\x00\xff\xff")
        out.append(data[:-4])
    return out


def close_payload(code: int, reason: bytes = b"") -> bytes:
    return code.to_bytes(2, "big") + reason


def msg(kind, data, extra=""):
    return WSMessage(kind, data, extra)


# -- feeding ------------------------------------------------------------------

def chunkings(data: bytes, seed: int = 0):
    """The whole input, one byte at a time, and three random splittings."""
    yield "whole", [data]
    yield "bytes", [data[i : i + 1] for i in range(len(data))]
    rnd = random.Random(seed)
    for n in range(3):
        cuts = sorted(rnd.sample(range(1, len(data)), min(len(data) - 1, rnd.randint(1, 8)))) if len(data) > 1 else []
        bounds = [0, *cuts, len(data)]
        yield f"random{n}", [data[a:b] for a, b in zip(bounds, bounds[1:])]


def run(reader, chunks):
    """Feed every chunk; return (messages, None) or (messages, (error type, code))."""
    got = []
    for chunk in chunks:
        try:
            got += reader.feed(chunk)
        except WSProtocolError as exc:
            got += exc.messages
            return got, (type(exc), exc.code)
    return got, None


# -- valid frames ---------------------------------------------------------------

TEXT_SPLIT = "héllo €𝄞!".encode()  # 𝄞 is 4 bytes: split inside it below
CUT = TEXT_SPLIT.index("𝄞".encode()) + 2
COMP2 = deflate([b"hello hello hello", b"hello hello hello again"])
COMP_NT = deflate([b"abcabcabc", b"abcabcabc"], takeover=False)
COMP_TEXT = deflate(["ünïcödé ✓ text ✓✓✓".encode()])[0]
COMP_BIG = deflate([b"x" * 100_000])[0]


def deflate_final(message: bytes) -> bytes:
    """A sender that ends the deflate stream (BFINAL) in every message."""
    comp = zlib.compressobj(wbits=-15)
    return comp.compress(message) + comp.flush(zlib.Z_FINISH)

VALID = [
    ("text", frame(1, b"hello"), {}, [msg(TEXT, "hello")]),
    ("binary", frame(2, b"\x00\xff"), {}, [msg(BINARY, b"\x00\xff")]),
    ("empty-text", frame(1), {}, [msg(TEXT, "")]),
    ("empty-binary", frame(2), {}, [msg(BINARY, b"")]),
    ("len125", frame(2, b"a" * 125), {}, [msg(BINARY, b"a" * 125)]),
    ("len126", frame(2, b"b" * 126), {}, [msg(BINARY, b"b" * 126)]),
    ("len65535", frame(2, b"c" * 65535), {}, [msg(BINARY, b"c" * 65535)]),
    ("len65536", frame(2, b"d" * 65536), {}, [msg(BINARY, b"d" * 65536)]),
    ("ext64-small", frame(2, b"e" * 10, ext=64), {}, [msg(BINARY, b"e" * 10)]),
    ("ext16-small", frame(1, b"f", ext=16), {}, [msg(TEXT, "f")]),
    ("two-messages", frame(1, b"a") + frame(2, b"b"), {}, [msg(TEXT, "a"), msg(BINARY, b"b")]),
    (
        "fragmented-codepoint-split",
        frame(1, TEXT_SPLIT[:3], fin=False) + frame(0, TEXT_SPLIT[3:CUT], fin=False)
        + frame(0, TEXT_SPLIT[CUT:]),
        {},
        [msg(TEXT, TEXT_SPLIT.decode())],
    ),
    (
        "fragmented-empty-parts",
        frame(2, b"", fin=False) + frame(0, b"ab", fin=False) + frame(0, b""),
        {},
        [msg(BINARY, b"ab")],
    ),
    (
        "ping-inside-fragmented",
        frame(1, b"ab", fin=False) + frame(9, b"p") + frame(10) + frame(0, b"cd"),
        {},
        [msg(PING, b"p"), msg(PONG, b""), msg(TEXT, "abcd")],
    ),
    ("ping", frame(9, b"x" * 125), {}, [msg(PING, b"x" * 125)]),
    ("pong", frame(10, b"pong"), {}, [msg(PONG, b"pong")]),
    ("close-code-reason", frame(8, close_payload(1000, "bye ✓".encode())), {},
     [msg(CLOSE, 1000, "bye ✓")]),
    ("close-empty", frame(8), {}, [msg(CLOSE, 0, "")]),
    ("close-1001", frame(8, close_payload(1001)), {}, [msg(CLOSE, 1001, "")]),
    ("close-1014", frame(8, close_payload(1014)), {}, [msg(CLOSE, 1014, "")]),
    ("close-3000", frame(8, close_payload(3000)), {}, [msg(CLOSE, 3000, "")]),
    ("close-4999", frame(8, close_payload(4999)), {}, [msg(CLOSE, 4999, "")]),
    ("after-close-ignored", frame(8, close_payload(1000)) + b"\xff\xff\x00garbage" + frame(1, b"x"),
     {}, [msg(CLOSE, 1000, "")]),
    ("masked-text", frame(1, b"masked!", mask=KEY), {"expect_masked": True}, [msg(TEXT, "masked!")]),
    (
        "masked-fragments",
        frame(2, b"abc", fin=False, mask=KEY) + frame(9, b"pp", mask=b"\x01\x02\x03\x04")
        + frame(0, b"defgh", mask=b"\xff\x00\xff\x00"),
        {"expect_masked": True},
        [msg(PING, b"pp"), msg(BINARY, b"abcdefgh")],
    ),
    ("masked-close", frame(8, close_payload(1000, b"ok"), mask=KEY), {"expect_masked": True},
     [msg(CLOSE, 1000, "ok")]),
    ("masked-big", frame(2, bytes(range(256)) * 300, mask=KEY), {"expect_masked": True},
     [msg(BINARY, bytes(range(256)) * 300)]),
    ("decode-text-false", frame(1, "ü".encode()), {"decode_text": False}, [msg(TEXT, "ü".encode())]),
    (
        "decode-text-false-fragmented",
        frame(1, b"\xc3", fin=False) + frame(0, b"\xbc"),
        {"decode_text": False},
        [msg(TEXT, "ü".encode())],
    ),
    ("compressed", frame(2, COMP2[0], rsv1=True), {"compress": True},
     [msg(BINARY, b"hello hello hello")]),
    (
        "compressed-takeover",
        frame(2, COMP2[0], rsv1=True) + frame(1, COMP2[1], rsv1=True),
        {"compress": True},
        [msg(BINARY, b"hello hello hello"), msg(TEXT, "hello hello hello again")],
    ),
    (
        "compressed-no-takeover",
        frame(2, COMP_NT[0], rsv1=True) + frame(2, COMP_NT[1], rsv1=True),
        {"compress": True, "server_notakeover": True},
        [msg(BINARY, b"abcabcabc")] * 2,
    ),
    (
        "compressed-fragmented-text",
        frame(1, COMP_TEXT[:5], rsv1=True, fin=False) + frame(10, b"x")
        + frame(0, COMP_TEXT[5:9], fin=False) + frame(0, COMP_TEXT[9:]),
        {"compress": True},
        [msg(PONG, b"x"), msg(TEXT, "ünïcödé ✓ text ✓✓✓")],
    ),
    ("compressed-masked", frame(2, COMP_BIG, rsv1=True, mask=KEY),
     {"compress": True, "expect_masked": True}, [msg(BINARY, b"x" * 100_000)]),
    ("compressed-empty", frame(1, deflate([b""])[0], rsv1=True), {"compress": True}, [msg(TEXT, "")]),
    ("compressed-window-9", frame(2, deflate([b"q" * 3000], wbits=9)[0], rsv1=True),
     {"compress": True, "server_window_bits": 9}, [msg(BINARY, b"q" * 3000)]),
    # the inflater only releases this byte once the 00 00 ff ff trailer is appended
    ("compressed-output-at-trailer", frame(1, b"\x32", rsv1=True), {"compress": True},
     [msg(TEXT, "0")]),
    ("compressed-bfinal-then-fresh-stream",
     frame(1, deflate_final(b"first first"), rsv1=True) + frame(2, deflate_final(b"second"), rsv1=True),
     {"compress": True}, [msg(TEXT, "first first"), msg(BINARY, b"second")]),
    ("compress-allowed-not-used", frame(1, b"plain"), {"compress": True}, [msg(TEXT, "plain")]),
    ("max-exact", frame(2, b"m" * 100), {"max_msg_size": 100}, [msg(BINARY, b"m" * 100)]),
    ("max-exact-fragmented", frame(2, b"m" * 60, fin=False) + frame(0, b"m" * 40),
     {"max_msg_size": 100}, [msg(BINARY, b"m" * 100)]),
    ("max-exact-inflated", frame(2, deflate([b"z" * 1000])[0], rsv1=True),
     {"compress": True, "max_msg_size": 1000}, [msg(BINARY, b"z" * 1000)]),
    ("unlimited", frame(2, b"u" * 70000), {"max_msg_size": 0}, [msg(BINARY, b"u" * 70000)]),
    ("unlimited-inflated", frame(2, COMP_BIG, rsv1=True), {"max_msg_size": 0, "compress": True},
     [msg(BINARY, b"x" * 100_000)]),
]


@pytest.mark.parametrize("wire,kwargs,expected", [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_valid(twin, wire, kwargs, expected):
    for mode, chunks in chunkings(wire):
        got, err = run(twin.FrameReader(**kwargs), chunks)
        assert err is None, mode
        assert got == expected, mode
        assert [type(m.data) for m in got] == [type(m.data) for m in expected], mode


# -- bad input ---------------------------------------------------------------------

P, BIG, UTF = WSProtocolError, WSMessageTooBig, WSInvalidUTF8
BAD_UTF8 = [b"\xff", b"\xc0\x80", b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf5"]

BAD = [
    ("rsv2", frame(1, b"a", rsv2=True), {}, P, 1002),
    ("rsv3", frame(1, b"a", rsv3=True), {}, P, 1002),
    ("rsv1-no-deflate", frame(1, b"a", rsv1=True), {}, P, 1002),
    ("rsv1-on-ping", frame(9, b"a", rsv1=True), {"compress": True}, P, 1002),
    ("rsv1-on-continuation", frame(2, COMP2[0][:3], rsv1=True, fin=False)
     + frame(0, COMP2[0][3:], rsv1=True), {"compress": True}, P, 1002),
    ("opcode-3", frame(3, b"a"), {}, P, 1002),
    ("opcode-7", frame(7), {}, P, 1002),
    ("opcode-11", frame(11), {}, P, 1002),
    ("opcode-15", frame(15), {}, P, 1002),
    ("ping-126", frame(9, b"p" * 126), {}, P, 1002),
    ("close-126", frame(8, close_payload(1000, b"r" * 124)), {}, P, 1002),
    ("pong-ext16-small", frame(10, b"p", ext=16), {}, P, 1002),
    ("fragmented-ping", frame(9, b"p", fin=False), {}, P, 1002),
    ("fragmented-close", frame(8, fin=False), {}, P, 1002),
    ("continuation-without-start", frame(0, b"x"), {}, P, 1002),
    ("text-inside-fragmented", frame(1, b"a", fin=False) + frame(1, b"b"), {}, P, 1002),
    ("binary-inside-fragmented", frame(2, b"a", fin=False) + frame(2, b"b"), {}, P, 1002),
    ("masked-from-server", frame(1, b"a", mask=KEY), {}, P, 1002),
    ("unmasked-to-server", frame(1, b"a"), {"expect_masked": True}, P, 1002),
    ("len64-top-bit", frame(2, length=1 << 63, ext=64), {"max_msg_size": 0}, P, 1002),
    ("len64-all-ones", frame(2, length=(1 << 64) - 1, ext=64), {}, P, 1002),
    ("too-big", frame(2, b"m" * 101), {"max_msg_size": 100}, BIG, 1009),
    ("too-big-fragmented", frame(2, b"m" * 60, fin=False) + frame(0, b"m" * 41),
     {"max_msg_size": 100}, BIG, 1009),
    ("too-big-inflated", frame(2, deflate([b"z" * 1001])[0], rsv1=True),
     {"compress": True, "max_msg_size": 1000}, BIG, 1009),
    ("too-big-inflated-fragmented",
     frame(2, deflate([b"z" * 1001])[0][:4], rsv1=True, fin=False)
     + frame(0, deflate([b"z" * 1001])[0][4:]),
     {"compress": True, "max_msg_size": 1000}, BIG, 1009),
    *[(f"utf8-{i}", frame(1, b"ok" + bad + b"ok"), {}, UTF, 1007) for i, bad in enumerate(BAD_UTF8)],
    *[(f"utf8-nodecode-{i}", frame(1, bad), {"decode_text": False}, UTF, 1007)
      for i, bad in enumerate(BAD_UTF8)],
    *[(f"utf8-fragmented-{i}", frame(1, b"a" + bad[:1], fin=False) + frame(0, bad[1:] + b"z"),
       {}, UTF, 1007) for i, bad in enumerate(BAD_UTF8)],
    ("utf8-truncated-end", frame(1, b"a\xe2\x82", fin=False) + frame(0, b""), {}, UTF, 1007),
    ("utf8-truncated-single", frame(1, b"a\xe2\x82"), {}, UTF, 1007),
    ("utf8-compressed", frame(1, deflate([b"ok\xffok"])[0], rsv1=True), {"compress": True}, UTF, 1007),
    ("utf8-masked", frame(1, b"\xed\xa0\x80", mask=KEY), {"expect_masked": True}, UTF, 1007),
    ("close-reason-utf8", frame(8, close_payload(1000, b"\xff")), {}, UTF, 1007),
    ("close-1-byte", frame(8, b"\x03"), {}, P, 1002),
    *[(f"close-code-{code}", frame(8, close_payload(code)), {}, P, 1002)
      for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535)],
    ("data-after-deflate-end", frame(2, deflate_final(b"abc") + b"junk", rsv1=True),
     {"compress": True}, P, 1002),
    ("bad-deflate", frame(2, b"\xff\xff\xff\xff", rsv1=True), {"compress": True}, P, 1002),
    ("no-takeover-needs-window",
     frame(2, deflate([b"hello world " * 5] * 2)[0], rsv1=True)
     + frame(2, deflate([b"hello world " * 5] * 2)[1], rsv1=True),
     {"compress": True, "server_notakeover": True}, P, 1002),
]


@pytest.mark.parametrize("wire,kwargs,exc_type,code", [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad(twin, wire, kwargs, exc_type, code):
    for mode, chunks in chunkings(wire):
        _, err = run(twin.FrameReader(**kwargs), chunks)
        assert err == (exc_type, code), mode


# -- limits and early detection -------------------------------------------------------

@pytest.mark.parametrize("n,ok", [(125, True), (126, False)])
def test_control_limit(twin, n, ok):
    # 126 needs the 16-bit form; the 7-bit field tops out at 125 for control frames.
    got, err = run(twin.FrameReader(), [frame(9, b"p" * n)])
    assert (err is None) is ok


def test_too_big_from_header_alone(twin):
    reader = twin.FrameReader(max_msg_size=1 << 20)
    with pytest.raises(WSMessageTooBig) as info:
        reader.feed(frame(2, length=(1 << 20) + 1))  # header only, no payload sent
    assert info.value.code == 1009
    assert twin.FrameReader(max_msg_size=1 << 20).feed(frame(2, length=1 << 20)) == []


@pytest.mark.parametrize("length,ok", [(2024, True), (2025, False)])
def test_compressed_wire_limit(twin, length, ok):
    # wire bound of a compressed message: max + max // 1024 + 1024 (= 2024 for max 1000)
    reader = twin.FrameReader(max_msg_size=1000, compress=True)
    head = frame(2, length=length, rsv1=True)
    if ok:
        assert reader.feed(head) == []
    else:
        with pytest.raises(WSMessageTooBig):
            reader.feed(head)


@pytest.mark.parametrize("length,ok", [((1 << 63) - 1, True), (1 << 63, False)])
def test_len64_limit(twin, length, ok):
    reader = twin.FrameReader(max_msg_size=0)
    head = frame(2, length=length, ext=64)
    if ok:
        assert reader.feed(head) == []
    else:
        with pytest.raises(WSProtocolError) as info:
            reader.feed(head)
        assert type(info.value) is WSProtocolError and info.value.code == 1002


def test_invalid_utf8_raised_as_soon_as_seen(twin):
    for bad in (b"\xed\xa0", b"\xe0\x80", b"\xf4\x90", b"\xc1"):
        reader = twin.FrameReader()
        with pytest.raises(WSInvalidUTF8):
            reader.feed(frame(1, b"abc" + bad, fin=False))  # the message is not finished
        reader = twin.FrameReader(expect_masked=True)
        head = frame(1, b"abc" + bad + b"\x80\x80\x80 and more", mask=KEY)
        with pytest.raises(WSInvalidUTF8):
            reader.feed(head[: 6 + 3 + len(bad)])  # frame not finished either


@lru_cache(maxsize=1)
def bomb() -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(1 << 20)
    data = b"".join(comp.compress(zeros) for _ in range(100)) + comp.flush(zlib.Z_SYNC_FLUSH)
    return frame(2, data[:-4], rsv1=True)


def test_deflate_bomb_fails_fast(twin):
    wire = bomb()  # 100 MiB of zeros, ~100 KiB on the wire
    reader = twin.FrameReader(max_msg_size=1 << 20, compress=True)
    tracemalloc.start()
    try:
        with pytest.raises(WSMessageTooBig) as info:
            reader.feed(wire)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == 1009
    assert peak < 8 << 20  # never inflated past max_msg_size + 1


def test_deflate_bomb_byte_by_byte(twin):
    reader = twin.FrameReader(max_msg_size=1 << 20, compress=True)
    wire = bomb()
    with pytest.raises(WSMessageTooBig):
        for i in range(len(wire)):
            reader.feed(wire[i : i + 1])
    assert i < 4096  # stopped within the first few KiB of input


# -- API behaviour --------------------------------------------------------------------

def test_error_is_sticky(twin):
    reader = twin.FrameReader()
    with pytest.raises(WSProtocolError):
        reader.feed(frame(3))
    for data in (b"", frame(1, b"fine")):
        with pytest.raises(WSProtocolError) as info:
            reader.feed(data)
        assert type(info.value) is WSProtocolError and info.value.code == 1002
        assert info.value.messages == []


def test_messages_before_error_ride_on_exception(twin):
    reader = twin.FrameReader()
    with pytest.raises(WSInvalidUTF8) as info:
        reader.feed(frame(1, b"good") + frame(9, b"p") + frame(1, b"\xff"))
    assert info.value.messages == [msg(TEXT, "good"), msg(PING, b"p")]


def test_closed_reader_ignores_everything(twin):
    reader = twin.FrameReader()
    assert reader.feed(frame(8, close_payload(1000)) + b"\x00") == [msg(CLOSE, 1000, "")]
    assert reader.feed(frame(3) + b"\xff" * 100) == []


def test_need_more_and_buffer_types(twin):
    reader = twin.FrameReader()
    assert reader.feed(b"") == []
    wire = frame(1, b"hello") + frame(2, b"x" * 300)
    assert reader.feed(bytearray(wire[:3])) == []
    assert reader.feed(memoryview(wire[3:9])) == [msg(TEXT, "hello")]
    assert reader.feed(wire[9:]) == [msg(BINARY, b"x" * 300)]


def test_message_types_are_exact(twin):
    reader = twin.FrameReader()
    (m,) = reader.feed(frame(2, b"x" * 1000))
    assert type(m) is WSMessage and type(m.data) is bytes and isinstance(m.type, WSMsgType)
    (m,) = reader.feed(frame(8, close_payload(1000)))
    assert type(m.data) is int and m.type is CLOSE


@pytest.mark.parametrize("kwargs", [{"server_window_bits": 7}, {"server_window_bits": 16},
                                    {"max_msg_size": -1}, {"max_msg_size": 1 << 63}])
def test_bad_arguments(twin, kwargs):
    with pytest.raises(ValueError):
        twin.FrameReader(**kwargs)


def test_many_messages_reuse_state(twin):
    reader = twin.FrameReader(compress=True)
    comp = deflate([f"message {i} ".encode() * 20 for i in range(50)])
    wire = b"".join(frame(1, c, rsv1=True) + frame(2, b"b%d" % i) for i, c in enumerate(comp))
    got = reader.feed(wire)
    assert len(got) == 100
    assert got[98] == msg(TEXT, "message 49 " * 20)


def test_chooser_picks_one_twin():
    from cyhttp._core import ws_reader

    expected = "_ws_reader_py" if os.environ.get("CYHTTP_NO_EXTENSIONS") else "_ws_reader_c"
    assert ws_reader.FrameReader.__module__.endswith(expected)
    assert ws_reader.FrameReaderPy.__module__.endswith("_ws_reader_py")
    assert ws_reader.FrameReaderC.__module__.endswith("_ws_reader_c")


def test_compiled_twin_is_loaded_in_a_fresh_interpreter():
    env = {k: v for k, v in os.environ.items() if k != "CYHTTP_NO_EXTENSIONS"}
    env["CYHTTP_REQUIRE_EXTENSIONS"] = "1"
    code = "from cyhttp._core import ws_reader; print(ws_reader.FrameReader.__module__)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=60, check=True)
    assert out.stdout.strip() == "cyhttp._core._ws_reader_c"
