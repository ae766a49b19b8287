"""Head writer: differential property tests over both twins, and round trips.

Random versions, statuses, reasons, methods, targets and fields (tokens and arbitrary
text with CR, LF, NUL and lone surrogates mixed in, now and then a non-str, in every
container): both twins give the same bytes or raise the same error type; only
HeaderInjectionError, ValueError (UnicodeEncodeError included) and TypeError escape.
What the writer accepts, the parsers read back as written.
"""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from multidict import CIMultiDict

from cyhttp._core import _head_writer_c, _head_writer_py, _http_parser_py

SETTINGS = settings(max_examples=300, deadline=None)

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
tokens = st.text(TCHARS, min_size=1, max_size=10)
odd_text = st.text(st.one_of(st.characters(max_codepoint=0x7F),
                             st.sampled_from("\r\n\x00é😀\udcff\ud800 \t:")), max_size=12)
names = st.one_of(tokens, tokens, tokens, tokens, odd_text, st.sampled_from([b"X", 1, None]))
values = st.one_of(st.text(max_size=20), st.text(max_size=20), st.text(max_size=20), odd_text,
                   st.sampled_from([3, b"v", None]))
items = st.one_of(st.tuples(names, values), st.tuples(names, values),
                  st.tuples(names, values).map(list),
                  st.sampled_from([("X",), ("X", "1", "2"), 1]))


def multidict_or_list(fields: list[Any]) -> Any:
    """The fields in a CIMultiDict when it takes them, else as they are."""
    try:
        return CIMultiDict(fields)
    except (TypeError, ValueError):
        return fields


good_items = st.tuples(tokens, st.text(st.characters(exclude_characters="\r\n\x00"),
                                        max_size=20))
fields_lists = st.one_of(st.lists(good_items, max_size=8), st.lists(items, max_size=6))
targets = st.one_of(st.text("".join(chr(c) for c in range(0x21, 0x7F)), min_size=1, max_size=12),
                    st.text(max_size=12), odd_text)

containers: st.SearchStrategy[Callable[[list[Any]], Any]] = st.sampled_from(
    [list, tuple, iter, multidict_or_list])
# Mostly good start lines, so that the fields get their turn.
good_version = st.sampled_from([(1, 1), (1, 0), "1.1", "1.0"])
versions = st.one_of(good_version, good_version, good_version,
                     st.tuples(st.integers(-1, 11), st.integers(-1, 11)),
                     st.sampled_from(["2.0", "1.10", "x.y", (1,), None, 1.1, [1, 1], ("1", "1")]))
good_status = st.integers(100, 999)
statuses = st.one_of(good_status, good_status, good_status, st.integers(90, 1010),
                     st.sampled_from(["200", 200.0, None, True]))
good_reason = st.sampled_from(["OK", "", "Not Found", "Ça va"])
reasons = st.one_of(good_reason, good_reason, good_reason, odd_text, st.just(None))


def outcome(call: Callable[[], bytes]) -> tuple:
    try:
        return ("ok", call())
    except (ValueError, TypeError) as exc:  # HeaderInjectionError is a ValueError
        return ("error", type(exc))


@SETTINGS
@given(versions, statuses, reasons, fields_lists, containers)
def test_response_twins_agree(version, status, reason, fields, container):
    py = outcome(lambda: _head_writer_py.write_response_head(version, status, reason,
                                                             container(fields)))
    c = outcome(lambda: _head_writer_c.write_response_head(version, status, reason,
                                                           container(fields)))
    assert py == c


@SETTINGS
@given(st.one_of(tokens, tokens, odd_text), targets, versions, fields_lists)
def test_request_twins_agree(method, target, version, fields):
    py = outcome(lambda: _head_writer_py.write_request_head(method, target, version, fields))
    c = outcome(lambda: _head_writer_c.write_request_head(method, target, version, fields))
    assert py == c


# Round trips: text the strict parsers accept back (values without controls, not padded).
clean = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x2FF,
                              exclude_characters="\x7f"), max_size=20).map(
    lambda v: v.strip(" \t"))


@SETTINGS
@given(st.sampled_from([(1, 1), (1, 0)]), st.integers(200, 599), clean,
       st.lists(st.tuples(tokens.filter(lambda n: n.lower() not in (
           "content-length", "transfer-encoding")), clean), max_size=8))
def test_round_trip(version, status, reason, fields):
    for mod in (_head_writer_py, _head_writer_c):
        data = mod.write_response_head(version, status, reason, fields)
        head = _http_parser_py.ResponseParser(read_until_eof=False).feed(data)[0]
        assert (head.version, head.status, head.reason) == (version, status, reason)
        assert list(head.headers.items()) == fields
