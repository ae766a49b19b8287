"""ws_writer: exact frames, limits, deflate, keys, differential, interop (both twins)."""

from __future__ import annotations

import array
import itertools
import struct
import zlib
from types import ModuleType
from typing import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from websockets.extensions.permessage_deflate import PerMessageDeflate
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from cyhttp._core import _ws_writer_c, _ws_writer_py
from tests.conftest import twin_fixture

twin = twin_fixture("ws_writer")

RFC_KEY = bytes.fromhex("37fa213d")
TAIL = b"\x00\x00\xff\xff"


def fixed_key(key: bytes = RFC_KEY) -> Callable[[int], bytes]:
    return lambda n: key


def counting_keys() -> Callable[[int], bytes]:
    counter = itertools.count()
    return lambda n: struct.pack("!I", next(counter) * 0x01010101 & 0xFFFFFFFF)


def decode(data: bytes) -> list[tuple[int, int, int, bytes | None, bytes]]:
    """Our own tiny parser: (fin, rsv1, opcode, key, unmasked payload) per frame."""
    out = []
    pos = 0
    while pos < len(data):
        b0, b1 = data[pos], data[pos + 1]
        pos += 2
        size = b1 & 0x7F
        if size == 126:
            (size,) = struct.unpack_from("!H", data, pos)
            pos += 2
        elif size == 127:
            (size,) = struct.unpack_from("!Q", data, pos)
            pos += 8
        key = None
        if b1 & 0x80:
            key = data[pos : pos + 4]
            pos += 4
        payload = data[pos : pos + size]
        assert len(payload) == size
        pos += size
        if key is not None:  # unmask via big integers (independent of the code under test)
            keystream = (key * (size // 4 + 1))[:size]
            payload = (
                int.from_bytes(payload, "little") ^ int.from_bytes(keystream, "little")
            ).to_bytes(size, "little")
        out.append((b0 >> 7, (b0 >> 6) & 1, b0 & 0x0F, key, payload))
    return out


def ws_parse(data: bytes, *, masked: bool, ext: PerMessageDeflate | None = None) -> list[Frame]:
    """Decode with the websockets library's frame parser (an independent implementation)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    frames = []
    for _ in range(10_000):
        at_eof = reader.at_eof()
        try:
            next(at_eof)
        except StopIteration as stop:
            if stop.value:
                return frames
        parser = Frame.parse(reader.read_exact, mask=masked, extensions=[ext] if ext else None)
        try:
            next(parser)
        except StopIteration as stop:
            frames.append(stop.value)
        else:
            raise AssertionError("incomplete frame")
    raise AssertionError("too many frames")


# --- RFC 6455 §5.7 and RFC 7692 §7.2.3 examples, byte for byte -----------------------------

RFC_CASES = [
    # (writer kwargs, [(opcode, payload, fin)], expected hex)
    ({"is_client": False}, [(1, b"Hello", True)], "810548656c6c6f"),
    ({"is_client": True}, [(1, b"Hello", True)], "818537fa213d7f9f4d5158"),
    ({"is_client": False}, [(1, b"Hel", False), (0, b"lo", True)], "010348656c" "80026c6f"),
    ({"is_client": False}, [(9, b"Hello", True)], "890548656c6c6f"),
    ({"is_client": True}, [(10, b"Hello", True)], "8a8537fa213d7f9f4d5158"),
    ({"is_client": False}, [(2, bytes(256), True)], "827e0100" + "00" * 256),
    ({"is_client": False}, [(2, bytes(65536), True)], "827f0000000000010000" + "00" * 65536),
    ({"is_client": False, "compress": 15}, [(1, b"Hello", True)], "c107f248cdc9c90700"),
    (  # context takeover: the second "Hello" is a back reference
        {"is_client": False, "compress": 15},
        [(1, b"Hello", True), (1, b"Hello", True)],
        "c107f248cdc9c90700" "c105f200110000",
    ),
    (  # no context takeover: both messages compress alike
        {"is_client": False, "compress": 15, "notakeover": True},
        [(1, b"Hello", True), (1, b"Hello", True)],
        "c107f248cdc9c90700" "c107f248cdc9c90700",
    ),
]


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
@pytest.mark.parametrize("kwargs, frames, expected", RFC_CASES)
def test_rfc_examples(twin: ModuleType, kind: type, kwargs: dict, frames: list, expected: str) -> None:
    writer = twin.FrameWriter(random_bytes=fixed_key(), **kwargs)
    out = b"".join(writer.frame(op, kind(payload), fin=fin) for op, payload, fin in frames)
    assert out.hex() == expected
    assert type(out) is bytes


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 65537, 200_000])
@pytest.mark.parametrize("is_client", [True, False])
def test_length_boundaries(twin: ModuleType, size: int, is_client: bool) -> None:
    payload = bytes(i * 7 & 0xFF for i in range(size))
    out = twin.FrameWriter(is_client=is_client, random_bytes=fixed_key()).frame(2, payload)
    head = 2 if size < 126 else 4 if size < 65536 else 10
    assert len(out) == head + (4 if is_client else 0) + size
    assert out[1] & 0x7F == (size if size < 126 else 126 if size < 65536 else 127)
    assert bool(out[1] & 0x80) is is_client
    [(fin, rsv1, opcode, key, body)] = decode(out)
    assert (fin, rsv1, opcode, key) == (1, 0, 2, RFC_KEY if is_client else None)
    assert body == payload


# --- control frames ------------------------------------------------------------------------


@pytest.mark.parametrize("opcode", [8, 9, 10])
def test_control_payload_limit(twin: ModuleType, opcode: int) -> None:
    writer = twin.FrameWriter(compress=15)
    assert len(writer.frame(opcode, bytes(125))) == 2 + 4 + 125
    with pytest.raises(ValueError):
        writer.frame(opcode, bytes(126))
    with pytest.raises(ValueError):
        writer.frame(opcode, b"", fin=False)
    # Never compressed, even when asked to, and never RSV1.
    out = writer.frame(opcode, b"ping", compress=True)
    assert out[0] == 0x80 | opcode
    assert decode(out)[0][4] == b"ping"


@pytest.mark.parametrize("message", [b"", b"bye", "au revoir \u00e9\u4e16", "x" * 123, b"y" * 123])
@pytest.mark.parametrize("code", [1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999])
def test_close_frame(twin: ModuleType, code: int, message: bytes | str) -> None:
    out = twin.FrameWriter(random_bytes=fixed_key()).close_frame(code, message)
    [(fin, rsv1, opcode, key, body)] = decode(out)
    reason = message.encode() if isinstance(message, str) else message
    assert (fin, rsv1, opcode) == (1, 0, 8)
    assert body == struct.pack("!H", code) + reason
    [frame] = ws_parse(out, masked=True)
    assert frame.opcode is Opcode.CLOSE and frame.data == body


def test_close_frame_default(twin: ModuleType) -> None:
    out = twin.FrameWriter(is_client=False).close_frame()
    assert out == b"\x88\x02\x03\xe8"


@pytest.mark.parametrize("code", [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65536, -1])
def test_close_frame_bad_code(twin: ModuleType, code: int) -> None:
    with pytest.raises(ValueError):
        twin.FrameWriter().close_frame(code)


@pytest.mark.parametrize("message", ["x" * 124, b"y" * 124, "\u00e9" * 62, b"\xff\xfe", b"\xc3"])
def test_close_frame_bad_message(twin: ModuleType, message: bytes | str) -> None:
    with pytest.raises(ValueError):
        twin.FrameWriter().close_frame(1000, message)


@pytest.mark.parametrize("code, message", [(1000.0, b""), ("1000", b""), (1000, 42), (1000, None)])
def test_close_frame_bad_types(twin: ModuleType, code: object, message: object) -> None:
    with pytest.raises(TypeError):
        twin.FrameWriter().close_frame(code, message)


# --- opcodes, fragmentation rules, argument errors ----------------------------------------


@pytest.mark.parametrize("opcode", [-1, 3, 4, 5, 6, 7, 11, 12, 15, 16, 256, 2**70])
def test_invalid_opcode(twin: ModuleType, opcode: int) -> None:
    with pytest.raises(ValueError):
        twin.FrameWriter().frame(opcode, b"x")


@pytest.mark.parametrize("opcode", [1.0, "1", None])
def test_opcode_type(twin: ModuleType, opcode: object) -> None:
    with pytest.raises(TypeError):
        twin.FrameWriter().frame(opcode, b"x")


@pytest.mark.parametrize(
    "payload", ["text", None, 12, [1, 2], memoryview(bytearray(10))[::2]], ids=repr
)
def test_payload_type(twin: ModuleType, payload: object) -> None:
    with pytest.raises(TypeError):
        twin.FrameWriter().frame(2, payload)


def test_payload_any_contiguous_buffer(twin: ModuleType) -> None:
    arr = array.array("i", range(40))
    out = twin.FrameWriter(is_client=False).frame(2, arr)
    assert decode(out)[0][4] == arr.tobytes()
    out = twin.FrameWriter(is_client=False).frame(2, memoryview(arr))
    assert decode(out)[0][4] == arr.tobytes()


def test_fragmentation_rules(twin: ModuleType) -> None:
    writer = twin.FrameWriter()
    with pytest.raises(ValueError):
        writer.frame(0, b"orphan continuation")
    writer.frame(1, b"a", fin=False)
    with pytest.raises(ValueError):
        writer.frame(2, b"new message while one is open")
    writer.frame(9, b"control frames interleave")
    writer.frame(0, b"b", fin=False)
    writer.frame(0, b"c")
    with pytest.raises(ValueError):
        writer.frame(0, b"message already finished")
    writer.frame(2, b"next message is fine")


def test_compress_arguments(twin: ModuleType) -> None:
    for bad in (1, 8, 16, -15):
        with pytest.raises(ValueError):
            twin.FrameWriter(compress=bad)
    with pytest.raises(TypeError):
        twin.FrameWriter(compress=15.0)
    with pytest.raises(ValueError):
        twin.FrameWriter().frame(1, b"x", compress=True)  # no permessage-deflate negotiated
    writer = twin.FrameWriter(compress=15)
    writer.frame(1, b"a", fin=False)
    with pytest.raises(ValueError):
        writer.frame(0, b"b", compress=False)  # a message is deflated all through or not at all
    writer.frame(0, b"b", compress=True)


def test_bad_random_bytes(twin: ModuleType) -> None:
    for key in (b"abc", b"abcde", b""):
        with pytest.raises(ValueError):
            twin.FrameWriter(random_bytes=fixed_key(key)).frame(1, b"x")


# --- masking keys ---------------------------------------------------------------------------


def keys_of(writer: object, count: int) -> list[bytes]:
    return [decode(writer.frame(2, b"k"))[0][3] for _ in range(count)]  # type: ignore[attr-defined]


def test_keys_vary_per_frame_and_per_writer(twin: ModuleType) -> None:
    # 2,500 frames cross two refills of the 1,024-key pool.
    first = keys_of(twin.FrameWriter(), 2500)
    second = keys_of(twin.FrameWriter(), 2500)
    assert len(set(first)) > 2400  # 32-bit random keys: collisions are rare
    assert first != second
    assert len(set(first) & set(second)) < 10
    assert len(set(first[:1024]) & set(first[1024:2048])) < 10  # a refill is fresh randomness


def test_server_writer_draws_no_keys(twin: ModuleType) -> None:
    def forbidden(n: int) -> bytes:
        raise AssertionError("server frames are not masked")

    out = twin.FrameWriter(is_client=False, random_bytes=forbidden).frame(2, b"abc")
    assert out == b"\x82\x03abc"


def test_random_bytes_error_propagates(twin: ModuleType) -> None:
    def broken(n: int) -> bytes:
        raise OSError("no entropy")

    with pytest.raises(OSError):
        twin.FrameWriter(random_bytes=broken).frame(2, b"abc")


# --- permessage-deflate -------------------------------------------------------------------

MESSAGES = [b"", b"a", b"Hello", b"hello hello hello hello " * 40, bytes(range(256)) * 300]


@pytest.mark.parametrize("window", [9, 12, 15])
@pytest.mark.parametrize("notakeover", [False, True])
@pytest.mark.parametrize("is_client", [True, False])
def test_deflate_round_trip(twin: ModuleType, window: int, notakeover: bool, is_client: bool) -> None:
    writer = twin.FrameWriter(is_client=is_client, compress=window, notakeover=notakeover)
    shared = zlib.decompressobj(-window)
    for message in MESSAGES * 2:
        [(fin, rsv1, opcode, _, body)] = decode(writer.frame(2, message))
        assert (fin, rsv1, opcode) == (1, 1, 2)
        assert not body.endswith(TAIL) or message == b""
        assert shared.decompress(body + TAIL) == message
        if notakeover:  # each message stands alone
            assert zlib.decompressobj(-window).decompress(body + TAIL) == message


def test_deflate_fragmented_rsv1_on_first_only(twin: ModuleType) -> None:
    writer = twin.FrameWriter(compress=15)
    parts = [b"The quick brown fox ", b"jumps over ", b"the lazy dog " * 20]
    frames = [writer.frame(1, parts[0], fin=False)]
    frames.append(writer.frame(9, b"interleaved ping"))
    frames.append(writer.frame(0, parts[1], fin=False))
    frames.append(writer.frame(0, parts[2]))
    decoded = [decode(f)[0] for f in frames]
    assert [(d[0], d[1], d[2]) for d in decoded] == [(0, 1, 1), (1, 0, 9), (0, 0, 0), (1, 0, 0)]
    stream = decoded[0][4] + decoded[2][4] + decoded[3][4] + TAIL
    assert zlib.decompressobj(-15).decompress(stream) == b"".join(parts)


def test_deflate_can_be_skipped_per_message(twin: ModuleType) -> None:
    writer = twin.FrameWriter(compress=15)
    plain = writer.frame(2, b"already compressed", compress=False)
    assert decode(plain)[0][:3] == (1, 0, 2) and decode(plain)[0][4] == b"already compressed"
    # The compressor state is untouched: the next deflated message starts a fresh stream.
    deflated = writer.frame(2, b"Hello")
    assert zlib.decompressobj(-15).decompress(decode(deflated)[0][4] + TAIL) == b"Hello"


# --- differential: both twins, same operations, same deterministic keys --------------------

# Payloads at the length-encoding boundaries, cheap to generate (a short seed repeated).
SIZED = st.tuples(st.binary(min_size=1, max_size=8), st.sampled_from([125, 126, 65535, 65536])).map(
    lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]]
)
OPS = st.lists(
    st.tuples(
        st.sampled_from([0, 1, 2, 8, 9, 10, 3, 11]),
        st.one_of(st.binary(max_size=300), SIZED),
        st.booleans(),
        st.sampled_from([None, True, False]),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    kwargs=st.fixed_dictionaries(
        {
            "is_client": st.booleans(),
            "compress": st.sampled_from([0, 9, 15]),
            "notakeover": st.booleans(),
        }
    ),
    ops=OPS,
    close=st.tuples(st.integers(990, 5010), st.binary(max_size=130)),
)
def test_differential_py_vs_c(kwargs: dict, ops: list, close: tuple) -> None:
    writers = [
        module.FrameWriter(random_bytes=counting_keys(), **kwargs)
        for module in (_ws_writer_py, _ws_writer_c)
    ]

    def run(call: Callable[[object], bytes]) -> list[object]:
        results: list[object] = []
        for writer in writers:
            try:
                results.append(call(writer))
            except (ValueError, TypeError) as exc:
                results.append(type(exc))
        return results

    for opcode, payload, fin, compress in ops:
        py, c = run(lambda w: w.frame(opcode, payload, fin=fin, compress=compress))  # type: ignore[attr-defined]
        assert py == c
    py, c = run(lambda w: w.close_frame(*close))  # type: ignore[attr-defined]
    assert py == c


def test_chooser_exports() -> None:
    from cyhttp._core import ws_writer

    assert ws_writer.FrameWriterPy is _ws_writer_py.FrameWriter
    assert ws_writer.FrameWriterC is _ws_writer_c.FrameWriter
    assert ws_writer.FrameWriter in (_ws_writer_py.FrameWriter, _ws_writer_c.FrameWriter)
