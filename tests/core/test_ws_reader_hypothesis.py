"""WebSocket frame reader: differential property tests, pure twin against compiled twin.

Random message streams are framed, fragmented, masked and compressed at random, then
split at random points: both twins must return the expected messages, call for call.
Mutated streams must give identical traces: the same messages from the same calls, or
the same error type and close code at the same call.
"""

from __future__ import annotations

import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyhttp._core import _ws_reader_c, _ws_reader_py
from cyhttp._core.errors import WSProtocolError
from cyhttp._core.ws_types import WSMessage, WSMsgType

from .test_ws_reader import frame

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1011, 1014, 3000, 4000, 4999]

texts = st.text(max_size=200)
blobs = st.binary(max_size=300)


@st.composite
def scenario(draw):
    """(reader kwargs, wire bytes, expected messages)."""
    compress = draw(st.booleans())
    notakeover = draw(st.booleans())
    wbits = draw(st.sampled_from([9, 12, 15]))
    masked = draw(st.booleans())
    decode_text = draw(st.booleans())
    kwargs = {"compress": compress, "server_notakeover": notakeover,
              "server_window_bits": wbits, "expect_masked": masked, "decode_text": decode_text}
    comp = None

    def key():
        return draw(st.binary(min_size=4, max_size=4)) if masked else None

    def control():
        kind = draw(st.sampled_from([9, 10]))
        payload = draw(st.binary(max_size=125))
        return frame(kind, payload, mask=key()), WSMessage(WSMsgType(kind), payload, "")

    wire, expected = [], []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["text", "binary", "control"]))
        if kind == "control":
            f, m = control()
            wire.append(f)
            expected.append(m)
            continue
        if kind == "text":
            text = draw(texts)
            raw, op = text.encode(), 1
            value = text if decode_text else raw
            mtype = WSMsgType.TEXT
        else:
            raw = value = draw(blobs)
            op, mtype = 2, WSMsgType.BINARY
        deflated = compress and draw(st.booleans())
        payload = raw
        if deflated:
            if comp is None or notakeover:
                comp = zlib.compressobj(wbits=-wbits)
            payload = (comp.compress(raw) + comp.flush(zlib.Z_SYNC_FLUSH))[:-4]
        cuts = sorted(draw(st.lists(st.integers(0, len(payload)), max_size=4)))
        bounds = [0, *cuts, len(payload)]
        pieces = [payload[a:b] for a, b in zip(bounds, bounds[1:])]
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            wire.append(frame(op if i == 0 else 0, piece, fin=last,
                              rsv1=deflated and i == 0, mask=key()))
            if not last and draw(st.integers(0, 3)) == 0:
                f, m = control()
                wire.append(f)
                expected.append(m)
        expected.append(WSMessage(mtype, value, ""))
    if draw(st.booleans()):
        code = draw(st.sampled_from(CLOSE_CODES))
        reason = draw(st.text(max_size=30))
        wire.append(frame(8, code.to_bytes(2, "big") + reason.encode(), mask=key()))
        expected.append(WSMessage(WSMsgType.CLOSE, code, reason))
    return kwargs, b"".join(wire), expected


def split(draw, data: bytes) -> list[bytes]:
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12)))
    bounds = [0, *cuts, len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]


def trace(module, kwargs, chunks):
    """Per-call results: each call's messages, or the error (type, code, messages)."""
    reader = module.FrameReader(**kwargs)
    calls = []
    for chunk in chunks:
        try:
            calls.append(("ok", reader.feed(chunk)))
        except WSProtocolError as exc:
            calls.append(("error", type(exc), exc.code, exc.messages))
            break
    return calls


def messages_of(calls):
    return [m for call in calls if call[0] == "ok" for m in call[1]]


@SETTINGS
@given(st.data())
def test_random_streams_both_twins(data):
    kwargs, wire, expected = data.draw(scenario())
    chunks = split(data.draw, wire)
    py = trace(_ws_reader_py, kwargs, chunks)
    c = trace(_ws_reader_c, kwargs, chunks)
    assert py == c
    assert all(call[0] == "ok" for call in py)
    assert messages_of(py) == expected
    assert [type(m.data) for m in messages_of(c)] == [type(m.data) for m in expected]


@SETTINGS
@given(st.data())
def test_mutated_streams_identical(data):
    kwargs, wire, _ = data.draw(scenario())
    buf = bytearray(wire)
    for _ in range(data.draw(st.integers(1, 3))):
        action = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        at = data.draw(st.integers(0, len(buf)))
        if action == "insert" or not buf:
            buf[at:at] = data.draw(st.binary(min_size=1, max_size=3))
        elif action == "flip":
            buf[min(at, len(buf) - 1)] ^= data.draw(st.integers(1, 255))
        else:
            del buf[min(at, len(buf) - 1)]
    chunks = split(data.draw, bytes(buf))
    assert trace(_ws_reader_py, kwargs, chunks) == trace(_ws_reader_c, kwargs, chunks)


@SETTINGS
@given(st.binary(max_size=64), st.booleans(), st.booleans())
def test_random_bytes_identical(blob, compress, masked):
    kwargs = {"compress": compress, "expect_masked": masked, "max_msg_size": 1000}
    whole_py = trace(_ws_reader_py, kwargs, [blob])
    assert whole_py == trace(_ws_reader_c, kwargs, [blob])
    drip = [blob[i : i + 1] for i in range(len(blob))]
    assert trace(_ws_reader_py, kwargs, drip) == trace(_ws_reader_c, kwargs, drip)
