"""Response parser: ``body_remaining`` / ``skip_body`` (body bytes read straight into the
body's buffer, outside ``feed``), both twins, plus a differential test against ``feed``."""

from __future__ import annotations

from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyhttp._core import _http_parser_c, _http_parser_py
from cyhttp._core.events import MESSAGE_END, EndOfMessage
from tests.conftest import twin_fixture

twin = twin_fixture("http_parser")

HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
NEXT = b"HTTP/1.1 204 No Content\r\n\r\n"


def test_remaining_counts_down_and_skip_ends_the_body(twin: ModuleType) -> None:
    p = twin.ResponseParser()
    assert p.body_remaining() == 0
    events = p.feed(HEAD + b"abc")
    assert events[1:] == [b"abc"] and p.body_remaining() == 7
    assert p.skip_body(0) == [] and p.body_remaining() == 7
    assert p.skip_body(6) == [] and p.body_remaining() == 1
    assert p.skip_body(1) == [MESSAGE_END] and p.body_remaining() == 0
    after = p.feed(NEXT)  # the next response parses as usual
    assert after[0].status == 204 and isinstance(after[1], EndOfMessage)


@pytest.mark.parametrize("n", [-1, 8])
def test_skip_past_the_body_or_negative_is_refused(twin: ModuleType, n: int) -> None:
    p = twin.ResponseParser()
    p.feed(HEAD + b"abc")
    with pytest.raises(ValueError):
        p.skip_body(n)
    assert p.body_remaining() == 7  # nothing changed
    assert p.skip_body(7) == [MESSAGE_END]


@pytest.mark.parametrize("stream", [
    b"",  # before any head
    b"HTTP/1.1 200 OK\r\n",  # inside a head
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",  # chunked body
    b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nab",  # body until EOF
])
def test_no_body_to_skip_outside_a_length_body(twin: ModuleType, stream: bytes) -> None:
    p = twin.ResponseParser()
    if stream:
        p.feed(stream)
    assert p.body_remaining() == 0
    with pytest.raises(ValueError):
        p.skip_body(1)


@settings(max_examples=100, deadline=None)
@given(length=st.integers(1, 5000), cuts=st.lists(st.integers(0, 5000), max_size=6))
def test_skipping_agrees_with_feeding(length: int, cuts: list[int]) -> None:
    """Any mix of fed and skipped body bytes leaves both twins where feeding alone would."""
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % length
    for module in (_http_parser_py, _http_parser_c):
        p = module.ResponseParser()
        p.feed(head)
        done: list[object] = []
        fed = 0
        for i, cut in enumerate(sorted(c % (length + 1) for c in cuts)):
            step = cut - fed
            if step <= 0:
                continue
            if i % 2:
                done += p.skip_body(step)
            else:
                done += [e for e in p.feed(b"x" * step) if e is MESSAGE_END]
            fed = cut
            assert p.body_remaining() == length - fed
        if fed < length:
            done += p.skip_body(length - fed)
        assert done == [MESSAGE_END] and p.body_remaining() == 0
        assert p.feed(NEXT)[0].status == 204
