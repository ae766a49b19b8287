"""charset_resolver: BOM, <meta charset>, XML declaration, charset-normalizer — through text()."""

from __future__ import annotations

import codecs
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from yarl import URL

import cyhttp
from cyhttp import charset_resolver
from cyhttp.crawl import sniff_charset

from ._site import Recorder, serve

FRENCH = "Le cœur a ses raisons que la raison ne connaît point. Où êtes-vous, élève ? " * 8
RUSSIAN = "Съешь же ещё этих мягких французских булок да выпей чаю. Широкая электрификация. " * 8


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (codecs.BOM_UTF8 + "é".encode(), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "é".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "é".encode("utf-16-be"), "utf-16"),
        (b'<html><head><meta charset="iso-8859-15"></head>', "iso-8859-15"),
        (b"<html><head><meta charset=latin-1>", "cp1252"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">', "shift_jis"),
        (b'<?xml version="1.0" encoding="koi8-r"?><a/>', "koi8-r"),
        (b'<meta charset="utf-16">', "utf-8"),  # readable as ASCII: cannot be UTF-16
        (b"plain ascii", "utf-8"),
        ("déjà vu".encode(), "utf-8"),
        (b'<meta charset="no-such-charset">' + "é".encode(), "utf-8"),
    ],
)
def test_sniff(body: bytes, expected: str) -> None:
    assert sniff_charset(body) == expected


def test_charset_normalizer_guesses_undeclared_legacy_text() -> None:
    guess = sniff_charset(RUSSIAN.encode("cp1251"))
    assert guess is not None and RUSSIAN.encode("cp1251").decode(guess) == RUSSIAN
    assert sniff_charset(RUSSIAN.encode("cp1251"), guess=False) is None


@pytest.fixture
async def site() -> AsyncIterator[URL]:
    rec = Recorder()

    def page(body: bytes, content_type: str) -> object:
        async def handler(request: web.Request, n: int) -> web.Response:
            return web.Response(body=body, headers={"Content-Type": content_type})

        return handler

    rec.routes["/meta"] = page(f'<html><meta charset="windows-1252"><p>{FRENCH}</p>'.encode("cp1252"),
                               "text/html")
    rec.routes["/guess"] = page(RUSSIAN.encode("cp1251"), "text/plain")
    rec.routes["/declared"] = page("é".encode("latin-1"), "text/plain; charset=latin-1")
    async with serve(rec) as base:
        yield base


async def test_text_decodes_with_the_resolver(site: URL) -> None:
    async with cyhttp.ClientSession(fallback_charset_resolver=charset_resolver) as s:
        async with s.get(site / "meta") as r:
            assert FRENCH in await r.text()
        async with s.get(site / "guess") as r:
            assert await r.text() == RUSSIAN
        async with s.get(site / "declared") as r:  # the header wins; the resolver is not asked
            assert await r.text() == "é"
    async with cyhttp.ClientSession() as s:  # the default resolver: utf-8, which fails here
        async with s.get(site / "guess") as r:
            with pytest.raises(UnicodeDecodeError):
                await r.text()


def test_the_toolkit_names_resolve_lazily() -> None:
    import cyhttp.crawl as crawl

    for name in crawl.__all__:
        assert getattr(crawl, name) is not None, name
    for name in ("RetryMiddleware", "ExponentialBackoff", "HostPolicy", "PolitenessMiddleware",
                 "RobotsMiddleware", "RobotsDisallowed", "HostStats", "charset_resolver"):
        assert getattr(cyhttp, name) is getattr(crawl, name)
