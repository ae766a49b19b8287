"""A ``fallback_charset_resolver`` for pages that do not say their charset in Content-Type.

How this works: ``ClientResponse.text()`` asks the session's resolver only when the
Content-Type has no (known) charset.  ``charset_resolver`` then looks, in this order, at
a byte-order mark, an HTML ``<meta charset=…>`` / ``<meta http-equiv="Content-Type"
content="…; charset=…">`` or an XML declaration in the first bytes (the HTML spec's
pre-scan window), and finally lets charset-normalizer (an optional extra) guess from a
sample of the body; plain ASCII, and anything no step could name, is UTF-8.  Labels
are normalised as browsers do (``iso-8859-1`` and ``ascii`` mean windows-1252).

    ClientSession(fallback_charset_resolver=cyhttp.charset_resolver)
"""

from __future__ import annotations

import codecs
import re
from typing import Any

__all__ = ("charset_resolver", "sniff_charset")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),  # -sig: the mark is not part of the text
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_PRESCAN = 4096
_SAMPLE = 64 * 1024
_META = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.()+-]+)""", re.IGNORECASE
)
_XML = re.compile(rb"""^\s*<\?xml[^>]+?encoding\s*=\s*["']([a-zA-Z0-9_.:+-]+)["']""", re.IGNORECASE)
# What browsers decode these labels as (WHATWG Encoding, "legacy single-byte encodings").
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
            "us-ascii": "cp1252", "iso_8859-1": "cp1252", "x-sjis": "shift_jis", "gb2312": "gb18030",
            "gbk": "gb18030", "utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}


def _known(label: bytes | str, declared: bool = False) -> str | None:
    name = (label.decode("ascii", "replace") if isinstance(label, bytes) else label).strip().lower()
    name = _ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if declared and info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"  # a declaration readable as ASCII cannot be UTF-16 (the HTML spec: UTF-8)
    return name


def sniff_charset(body: bytes, *, guess: bool = True) -> str | None:
    """The charset ``body`` declares or looks like, or None when nothing tells."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    head = body[:_PRESCAN]
    match = _XML.match(head)
    if match is None:
        match = _META.search(head)
    if match is not None:
        declared = _known(match.group(1), declared=True)
        if declared is not None:
            return declared
    if head.isascii() and body.isascii():
        return "utf-8"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if guess:
        try:
            from charset_normalizer import from_bytes
        except ImportError:  # the optional extra is not installed
            return None
        best = from_bytes(body[:_SAMPLE]).best()
        if best is not None:
            return _known(best.encoding) or best.encoding
    return None


def charset_resolver(resp: Any, body: bytes) -> str:
    """``ClientSession(fallback_charset_resolver=charset_resolver)``: never fails, UTF-8 last."""
    return sniff_charset(body) or "utf-8"
