"""Buffer: both twins against a plain-bytes reference model, driven by hypothesis.

The model is the contract written as simply as possible: a ``bytes`` object, searched
from the start every time.  Every step runs on the model, the pure twin and the compiled
twin and must give the same value or the same exception type.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cyhttp._core import _buffer_c, _buffer_py
from cyhttp._core.errors import BufferLimitError

WRITE_DEFAULT = 65536


class Model:
    """The reference: no offsets, no search memory, no capacity."""

    def __init__(self) -> None:
        self.data = b""
        self.total_bytes = 0

    def __len__(self) -> int:
        return len(self.data)

    def feed(self, data: bytes) -> None:
        self.data += data
        self.total_bytes += len(data)

    def _take(self, n: int) -> bytes:
        out, self.data = self.data[:n], self.data[n:]
        return out

    def read(self, n: int = -1) -> bytes:
        return self._take(len(self.data) if n < 0 else n)

    def readexactly(self, n: int) -> bytes | None:
        if n < 0:
            raise ValueError(n)
        return self._take(n) if n <= len(self.data) else None

    def readuntil(self, separator: bytes = b"\n", limit: int = 65536) -> bytes | None:
        index = self.data.find(separator)
        if index >= 0 and index + len(separator) <= limit:
            return self._take(index + len(separator))
        if index >= 0 or len(self.data) > limit:
            raise BufferLimitError("limit")
        return None

    def readline(self, limit: int = 65536) -> bytes | None:
        return self.readuntil(b"\n", limit)

    def read_all(self) -> bytes:
        return self._take(len(self.data))

    def clear(self) -> None:
        self.data = b""

    def reserve(self, total: int) -> None:
        pass

    def write(self, sizehint: int, payload: bytes, nbytes: int) -> None:
        need = sizehint if sizehint > 0 else WRITE_DEFAULT
        nbytes = min(nbytes, need)
        self.feed(payload[:nbytes])


def _write(buf, sizehint: int, payload: bytes, nbytes: int) -> None:
    """get_write_buffer + commit, the way the loop does it."""
    view = buf.get_write_buffer(sizehint)
    nbytes = min(nbytes, len(view))
    view[: min(nbytes, len(payload))] = payload[:nbytes]
    buf.commit(min(nbytes, len(payload)))
    del view


def outcome(call):
    try:
        return ("ok", call())
    except Exception as exc:  # the type is the contract, not the message
        return ("error", type(exc))


ALPHABET = b"ab\r\nx"
chunks = st.binary(max_size=40).map(lambda b: bytes(ALPHABET[c % len(ALPHABET)] for c in b))
separators = st.sampled_from([b"\n", b"\r\n", b"a", b"ab", b"aba", b"\r\n\r\n", b"xx"])
sizes = st.integers(min_value=-2, max_value=60)
limits = st.integers(min_value=0, max_value=60)


class BufferMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.model = Model()
        self.twins = [_buffer_py.Buffer(), _buffer_c.Buffer()]

    def check(self, name: str, *args):
        expected = outcome(lambda: getattr(self.model, name)(*args))
        for buf in self.twins:
            got = outcome(lambda: getattr(buf, name)(*args))
            assert got == expected, (type(buf).__module__, name, args, got, expected)

    @rule(data=chunks, kind=st.sampled_from([bytes, bytearray, memoryview]))
    def feed(self, data: bytes, kind) -> None:
        self.model.feed(data)
        for buf in self.twins:
            buf.feed(kind(data))

    @rule(n=sizes)
    def read(self, n: int) -> None:
        self.check("read", n)

    @rule(n=sizes)
    def readexactly(self, n: int) -> None:
        self.check("readexactly", n)

    @rule(separator=separators, limit=limits)
    def readuntil(self, separator: bytes, limit: int) -> None:
        self.check("readuntil", separator, limit)

    @rule(limit=limits)
    def readline(self, limit: int) -> None:
        self.check("readline", limit)

    @rule()
    def read_all(self) -> None:
        self.check("read_all")

    @rule(total=st.integers(min_value=0, max_value=200))
    def reserve(self, total: int) -> None:
        self.check("reserve", total)

    @rule()
    def clear(self) -> None:
        self.check("clear")

    @rule(sizehint=st.integers(min_value=-1, max_value=50), payload=chunks, nbytes=sizes)
    def write(self, sizehint: int, payload: bytes, nbytes: int) -> None:
        nbytes = max(nbytes, 0)
        self.model.write(sizehint, payload, min(nbytes, len(payload)))
        for buf in self.twins:
            _write(buf, sizehint, payload, nbytes)

    @invariant()
    def same_size(self) -> None:
        for buf in self.twins:
            assert len(buf) == len(self.model)
            assert buf.total_bytes == self.model.total_bytes


BufferMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestBufferMachine = BufferMachine.TestCase


def _lines(cls, pieces: list[bytes], separator: bytes, limit: int) -> list[object]:
    buf = cls()
    out: list[object] = []
    for piece in pieces:
        buf.feed(piece)
        for _ in range(len(piece) + 1):
            try:
                chunk = buf.readuntil(separator, limit)
            except BufferLimitError:
                out.append("limit")
                return out
            if chunk is None:
                break
            out.append(chunk)
    out.append(buf.read_all())
    return out


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=300).map(lambda b: bytes(b"ab\r\n"[c % 4] for c in b)),
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=12),
    separator=separators,
    limit=st.integers(min_value=0, max_value=80),
)
def test_random_splits_same_chunks(data: bytes, cuts: list[int], separator: bytes, limit: int) -> None:
    """Split anywhere: both twins give the chunks the whole input gives the model."""
    points = sorted({min(c, len(data)) for c in cuts} | {0, len(data)})
    pieces = [data[a:b] for a, b in zip(points, points[1:])]
    expected = _lines(Model, [data], separator, limit)
    bytewise = [data[i : i + 1] for i in range(len(data))]
    for cls in (_buffer_py.Buffer, _buffer_c.Buffer):
        # Where a limit error surfaces depends only on the line, never on the split.
        assert _lines(cls, pieces, separator, limit) == expected
        assert _lines(cls, bytewise, separator, limit) == expected
