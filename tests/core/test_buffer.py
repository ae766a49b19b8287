"""Buffer: table cases and edge cases, every one against both twins (ids py / c)."""

from __future__ import annotations

import gc
from types import ModuleType

import pytest

from cyhttp._core.errors import BufferLimitError, ParseError
from tests.conftest import twin_fixture

twin = twin_fixture("buffer")


def drain_lines(buf, pieces, separator=b"\n", limit=65536):
    """Feed ``pieces`` one by one, calling readuntil after each until it says None.

    Returns the list of chunks, ending with the error type's name if one was raised.
    """
    out: list[object] = []
    for piece in pieces:
        buf.feed(piece)
        for _ in range(len(piece) + 2):  # bounded: at most one chunk per fed byte
            try:
                chunk = buf.readuntil(separator, limit)
            except ParseError as exc:
                out.append(type(exc).__name__)
                return out
            if chunk is None:
                break
            out.append(chunk)
    return out


def splits(data: bytes):
    """The same bytes fed whole and fed one byte at a time."""
    return [("whole", [data]), ("bytewise", [data[i : i + 1] for i in range(len(data))])]


# (data, separator, limit, expected chunks then, optionally, an error name)
LINE_CASES = [
    (b"", b"\n", 100, []),
    (b"abc", b"\n", 100, []),
    (b"\n", b"\n", 100, [b"\n"]),
    (b"a\nb\n\nc", b"\n", 100, [b"a\n", b"b\n", b"\n"]),
    (b"GET\r\nHost: x\r\n\r\n", b"\r\n", 100, [b"GET\r\n", b"Host: x\r\n", b"\r\n"]),
    (b"a\rb\r\n", b"\r\n", 100, [b"a\rb\r\n"]),
    (b"xx--bound--yy--bound--", b"--bound--", 100, [b"xx--bound--", b"yy--bound--"]),
    (b"aaab", b"aab", 100, [b"aaab"]),  # overlapping prefix of the separator
    (b"ababac", b"abac", 100, [b"ababac"]),
    # limit: the chunk, separator included, may be exactly `limit` long ...
    (b"abcd\n", b"\n", 5, [b"abcd\n"]),
    # ... one more byte is an error, whether the separator is there or not.
    (b"abcde\n", b"\n", 5, ["BufferLimitError"]),
    (b"abcdef", b"\n", 5, ["BufferLimitError"]),
    # exactly `limit` bytes buffered without a separator: still waiting
    (b"abcde", b"\n", 5, []),
    (b"ab\r\nabc\r\n", b"\r\n", 4, [b"ab\r\n", "BufferLimitError"]),
    # a separator split across the limit boundary
    (b"abc\r\n", b"\r\n", 4, ["BufferLimitError"]),
    (b"\n", b"\n", 0, ["BufferLimitError"]),
    (b"", b"\n", 0, []),
]


@pytest.mark.parametrize("data,separator,limit,expected", LINE_CASES)
@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_readuntil_table(twin: ModuleType, data, separator, limit, expected, mode) -> None:
    pieces = dict(splits(data))[mode]
    assert drain_lines(twin.Buffer(), pieces, separator, limit) == expected


@pytest.mark.parametrize("mode", ["whole", "bytewise"])
def test_readline_is_readuntil_newline(twin: ModuleType, mode: str) -> None:
    data = b"one\ntwo\r\nthree"
    buf = twin.Buffer()
    lines = []
    for piece in dict(splits(data))[mode]:
        buf.feed(piece)
        while (line := buf.readline()) is not None:
            lines.append(line)
    assert lines == [b"one\n", b"two\r\n"]
    assert buf.read_all() == b"three"


def test_limit_error_keeps_data(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"0123456789")
    with pytest.raises(BufferLimitError):
        buf.readuntil(b"\n", 9)
    with pytest.raises(BufferLimitError):  # again: nothing was consumed
        buf.readuntil(b"\n", 9)
    assert len(buf) == 10
    buf.feed(b"\n")
    assert buf.readuntil(b"\n", 11) == b"0123456789\n"


def test_limit_shrinks_after_search(twin: ModuleType) -> None:
    # The remembered search position must not make a smaller limit miss the overrun.
    buf = twin.Buffer()
    buf.feed(b"x" * 50)
    assert buf.readuntil(b"\n", 100) is None
    with pytest.raises(BufferLimitError):
        buf.readuntil(b"\n", 20)
    buf.feed(b"\n")
    assert buf.readuntil(b"\n", 51) == b"x" * 50 + b"\n"


def test_separator_change_restarts_search(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"ab;cd\n")
    assert buf.readuntil(b"#") is None
    assert buf.readuntil(b";") == b"ab;"
    assert buf.readuntil(b"#") is None
    assert buf.readline() == b"cd\n"


def test_search_position_survives_reads(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"abcdefgh")
    assert buf.readline() is None
    assert buf.read(3) == b"abc"
    buf.feed(b"\nrest")
    assert buf.readline() == b"defgh\n"
    assert buf.read() == b"rest"


@pytest.mark.parametrize("separator", [b"\n", b"\r\n", b"--b--"])
def test_slow_drip_long_line(twin: ModuleType, separator: bytes) -> None:
    # 100 KB one byte at a time: the search resumes, so this stays linear.
    buf = twin.Buffer()
    size = 100_000
    for _ in range(size):
        buf.feed(b"a")
        assert buf.readuntil(separator, size + 10) is None
    for i in range(len(separator)):
        buf.feed(separator[i : i + 1])
    assert buf.readuntil(separator, size + 10) == b"a" * size + separator


def test_bad_arguments(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"abc")
    with pytest.raises(ValueError):
        buf.readuntil(b"")
    with pytest.raises(ValueError):
        buf.readuntil(b"\n", -1)
    with pytest.raises(TypeError):
        buf.readuntil("\n")
    with pytest.raises(ValueError):
        buf.readexactly(-1)
    with pytest.raises(ValueError):
        buf.reserve(-1)
    with pytest.raises(ValueError):
        twin.Buffer(-1)
    for bad in ("str", 5, None, memoryview(b"abcdef")[::2]):
        with pytest.raises(TypeError):
            buf.feed(bad)
    assert buf.read() == b"abc"  # nothing above changed the contents


def test_empty_buffer(twin: ModuleType) -> None:
    buf = twin.Buffer()
    assert len(buf) == 0
    assert buf.read() == b""
    assert buf.read(10) == b""
    assert buf.read(0) == b""
    assert buf.read_all() == b""
    assert buf.readexactly(0) == b""
    assert buf.readexactly(1) is None
    assert buf.readline() is None
    assert buf.readuntil(b"\r\n", 0) is None
    buf.feed(b"")
    buf.feed(bytearray())
    buf.feed(memoryview(b""))
    buf.clear()
    assert len(buf) == 0
    assert buf.total_bytes == 0


def test_read_sizes(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"0123456789")
    assert buf.read(0) == b""
    assert buf.read(3) == b"012"
    assert buf.readexactly(8) is None
    assert buf.readexactly(2) == b"34"
    assert buf.read(-5) == b"56789"
    buf.feed(b"abc")
    assert buf.read(100) == b"abc"
    buf.feed(b"xyz")
    assert buf.readexactly(3) == b"xyz"
    assert len(buf) == 0


def test_feed_types_and_total(twin: ModuleType) -> None:
    import array

    buf = twin.Buffer()
    buf.feed(b"ab")
    buf.feed(bytearray(b"cd"))
    buf.feed(memoryview(b"xefx")[1:3])
    buf.feed(array.array("B", b"gh"))
    assert buf.total_bytes == 8
    assert buf.read(3) == b"abc"
    assert buf.total_bytes == 8
    assert buf.read_all() == b"defgh"
    buf.feed(b"i")
    buf.clear()
    assert buf.total_bytes == 9
    assert len(buf) == 0


def test_total_bytes_is_read_only(twin: ModuleType) -> None:
    buf = twin.Buffer()
    with pytest.raises(AttributeError):
        buf.total_bytes = 5  # type: ignore[misc]


def test_fed_data_is_copied(twin: ModuleType) -> None:
    source = bytearray(b"hello")
    buf = twin.Buffer()
    buf.feed(source)
    source[:] = b"HELLO"
    assert buf.read_all() == b"hello"


def test_interleaved_feed_and_read_compaction(twin: ModuleType) -> None:
    # Exercises compaction and growth paths: the stream must come out unchanged.
    buf = twin.Buffer(64)
    produced = bytearray()
    consumed = bytearray()
    for i in range(2000):
        piece = bytes([i % 251]) * (i % 97 + 1)
        buf.feed(piece)
        produced += piece
        consumed += buf.read(i % 89 + 1)
    consumed += buf.read_all()
    assert consumed == produced


def test_reserve_then_fill(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"head")
    assert buf.read(2) == b"he"
    buf.reserve(1000)
    for _ in range(10):
        buf.feed(b"x" * 100)
    buf.reserve(0)
    buf.reserve(10**12)  # capped: must not try to allocate a terabyte
    assert buf.read_all() == b"ad" + b"x" * 1000


def test_read_all_hands_out_fresh_state(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.reserve(100)
    buf.feed(b"y" * 100)
    first = buf.read_all()
    buf.feed(b"z" * 10)
    second = buf.read_all()
    assert first == b"y" * 100  # the handed-out object is not reused as storage
    assert second == b"z" * 10


# -- the write window (BufferedProtocol style) ------------------------------------


def test_write_window_commit(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"<")
    view = buf.get_write_buffer(16)
    assert len(view) == 16
    assert not view.readonly
    view[:5] = b"hello"
    buf.commit(5)
    del view
    view = buf.get_write_buffer()
    assert len(view) == twin.DEFAULT_WRITE_SIZE
    view[:1] = b">"
    buf.commit(1)
    assert buf.total_bytes == 7
    assert buf.read_all() == b"<hello>"


def test_write_window_used_like_the_loop(twin: ModuleType) -> None:
    # asyncio's selector loop keeps `buf` alive while it calls buffer_updated().
    buf = twin.Buffer()
    payload = bytes(range(256)) * 40
    pos = 0
    while pos < len(payload):
        view = buf.get_write_buffer(-1)
        n = min(len(view), 3001, len(payload) - pos)
        view[:n] = payload[pos : pos + n]
        buf.commit(n)  # the view is still exported here
        pos += n
        line = buf.readexactly(1000)
        if line is not None:
            assert len(line) == 1000
        del view
    assert buf.total_bytes == len(payload)


@pytest.mark.parametrize("n", [-1, 17])
def test_commit_bad_size(twin: ModuleType, n: int) -> None:
    buf = twin.Buffer()
    view = buf.get_write_buffer(16)
    with pytest.raises(ValueError):
        buf.commit(n)
    del view
    assert len(buf) == 0


def test_commit_without_window(twin: ModuleType) -> None:
    buf = twin.Buffer()
    with pytest.raises(ValueError):
        buf.commit(1)
    buf.commit(0)
    view = buf.get_write_buffer(8)
    buf.feed(b"x")  # any other call ends the window
    with pytest.raises(ValueError):
        buf.commit(1)
    view2 = buf.get_write_buffer(8)
    buf.commit(0)
    with pytest.raises(ValueError):  # one commit per window
        buf.commit(1)
    del view, view2
    assert buf.read_all() == b"x"


def test_stale_view_is_memory_safe(twin: ModuleType) -> None:
    buf = twin.Buffer()
    stale = buf.get_write_buffer(64)
    buf.commit(0)
    # Force many reallocations while the stale view pins the old storage.
    for _ in range(200):
        buf.feed(b"q" * 1000)
    stale[:] = b"\xff" * 64  # must not touch buffered data, nor freed memory
    assert buf.read(1000) == b"q" * 1000
    mid = buf.get_write_buffer(10)
    out = buf.read_all()  # while exported: a copy, never the storage itself
    mid[:] = b"\xee" * 10
    assert out == b"q" * 199_000
    stale[:] = b"\xdd" * 64
    buf.clear()
    stale[:] = b"\xcc" * 64
    del stale, mid
    gc.collect()
    buf.feed(b"ok")
    assert buf.read_all() == b"ok"


def test_feed_own_window(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"abc")
    view = buf.get_write_buffer(3)
    view[:] = b"xyz"
    buf.feed(view)  # aliasing our own storage must still copy correctly
    del view
    assert buf.read_all() == b"abcxyz"


def test_repr(twin: ModuleType) -> None:
    buf = twin.Buffer()
    buf.feed(b"abc")
    assert repr(buf) == "<Buffer 3 bytes buffered, 3 total>"


def test_chooser_exports_active_twin() -> None:
    from cyhttp._core import _accel, buffer

    expected = buffer.BufferC if _accel.USE_EXTENSIONS else buffer.BufferPy
    assert buffer.Buffer is expected
    assert buffer.BufferPy.__module__ == "cyhttp._core._buffer_py"
    with pytest.raises(AttributeError):
        buffer.NoSuchThing  # noqa: B018


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_reserve_around_limit(twin: ModuleType, delta: int) -> None:
    # Pre-sizing is capped at RESERVE_LIMIT; just under, at and over all stay usable.
    buf = twin.Buffer()
    buf.feed(b"ab")
    buf.reserve(twin.RESERVE_LIMIT + delta)
    buf.feed(b"cd")
    assert buf.read(1) == b"a"
    assert buf.read_all() == b"bcd"


@pytest.mark.parametrize("sizehint,expected", [(-1, 65536), (0, 65536), (1, 1), (65537, 65537)])
def test_write_window_size(twin: ModuleType, sizehint: int, expected: int) -> None:
    buf = twin.Buffer()
    view = buf.get_write_buffer(sizehint)
    assert len(view) == expected == (sizehint if sizehint > 0 else twin.DEFAULT_WRITE_SIZE)
    view[-1:] = b"!"
    buf.commit(expected)
    del view
    assert len(buf) == expected
    assert buf.read_all()[-1:] == b"!"
