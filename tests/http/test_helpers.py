"""helpers.py: versions, Content-Type / Link parsing, netrc and proxy env."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from aiohttp import helpers as ah
from aiohttp.client_reqrep import _is_expected_content_type
from multidict import MultiDictProxy
from yarl import URL

from cyhttp import helpers as H

PROXY_VARS = ("http_proxy", "https_proxy", "ws_proxy", "wss_proxy", "no_proxy",
              "HTTP_PROXY", "HTTPS_PROXY", "WS_PROXY", "WSS_PROXY", "NO_PROXY",
              "all_proxy", "ALL_PROXY", "REQUEST_METHOD")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for var in PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "missing-netrc"))
    return monkeypatch


def test_http_version() -> None:
    assert H.HttpVersion11 == (1, 1) and H.HttpVersion10 == (1, 0)
    assert H.HttpVersion11.major == 1 and H.HttpVersion10.minor == 0
    assert H.HttpVersion(1, 1) == ah.HttpVersion11 if hasattr(ah, "HttpVersion11") else True
    assert H.HttpVersion10 < H.HttpVersion11


def test_sentinel_is_unique() -> None:
    assert H.sentinel is H.sentinel and H.sentinel is not None and bool(H.sentinel)


CONTENT_TYPES = [
    "text/html; charset=UTF-8",
    'TEXT/HTML;CHARSET="utf-8"',
    "text/ html",
    "text",
    "",
    "a/b/c",
    "*/*",
    "*",
    "text/plain; charset",
    'text/plain; a="x;y"; b=2',
    "text/plain;; a=1",
    'text/plain; a="q\\"x"',
    "text/plain; A = 1 ",
    "text/plain; title*=utf-8''%e2%82%ac",
    " text/plain ; charset=utf-8 ",
    "text/plain; a=1; a=2",
    "application/json; charset=latin-1",
    'text/plain; a="unterminated',
    "text/plain; a=b c",
    'text/plain; charset="utf-8" extra',
    "multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
    "application/vnd.api+json",
    # RFC 2231 continuations (issue 12: gap 9)
    'text/plain; title*0="foo"; title*1="bar"',
    "text/plain; title*0*=us-ascii'en'This%20is; title*1*=%2A%2A%2Afun%2A%2A%2A",
    'text/plain; title*1="b"; title*0="a"',
    "text/plain; title*0*=utf-8''%C3%A9; title*1=\"x%41\"",
    "text/plain; title*0=a; title*2=c; title*1*=b",
]


@pytest.mark.parametrize("raw", CONTENT_TYPES)
def test_parse_content_type_same_as_aiohttp(raw: str) -> None:
    mimetype, params = H.parse_content_type(raw)
    ref_type, ref_params = ah.parse_content_type(raw)
    assert mimetype == ref_type
    assert dict(params) == dict(ref_params)


def test_parse_content_type_result_is_read_only() -> None:
    _, params = H.parse_content_type("text/plain; charset=utf-8")
    with pytest.raises(TypeError):
        params["charset"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("application/json", "application/json"),
        ("application/vnd.api+json", "application/json"),
        ("application/json; charset=utf-8", "application/json"),
        ("text/json", "application/json"),
        ("text/plain", "application/json"),
        ("application/jsonx", "application/json"),
        ("text/plain", "text/plain"),
        ("text/plain", "text"),
        ("text/html", "text/plain"),
        ("", "application/json"),
    ],
)
def test_is_expected_content_type(response: str, expected: str) -> None:
    ours = H.is_expected_content_type(response, expected)
    assert ours == _is_expected_content_type(response, expected)


BASE = URL("http://example.com/dir/page")


def test_parse_links_shape() -> None:
    links = H.parse_links(
        ['<https://api/page2>; rel="next"; title=t', "</last?x=1>; rel=last"], BASE
    )
    assert isinstance(links, MultiDictProxy)
    assert list(links) == ["next", "last"]
    assert isinstance(links["next"], MultiDictProxy)
    assert dict(links["next"]) == {"rel": "next", "title": "t", "url": URL("https://api/page2")}
    assert links["last"]["url"] == URL("http://example.com/last?x=1")


def test_parse_links_without_rel_keyed_by_target() -> None:
    links = H.parse_links("<rel/x>; title='a b'", BASE)
    assert list(links) == ["rel/x"]
    assert links["rel/x"]["title"] == "a b"
    assert links["rel/x"]["url"] == URL("http://example.com/dir/rel/x")


def test_parse_links_comma_inside_url_and_malformed_params() -> None:
    links = H.parse_links("<http://a/b,c>; rel=one; bad param; =x, <http://z>; rel=two", BASE)
    assert list(links) == ["one", "two"]
    assert links["one"]["url"] == URL("http://a/b,c")
    assert dict(links["one"]) == {"rel": "one", "url": URL("http://a/b,c")}


@pytest.mark.parametrize("value", ["", [], "not a link"])
def test_parse_links_empty(value: str | list[str]) -> None:
    assert len(H.parse_links(value, BASE)) == 0


@pytest.mark.parametrize(
    ("host", "ip"),
    [("127.0.0.1", True), ("::1", True), ("[::1]", True), ("fe80::1%eth0", True),
     ("example.com", False), ("1.2.3", False), ("", False), (None, False), ("999.1.1.1", False)],
)
def test_is_ip_address(host: str | None, ip: bool) -> None:
    assert H.is_ip_address(host) is ip


NETRC = """machine example.com login alice password s3cret
machine proxy.local login pu password pp
machine acct.example account acc password pw
default login anon password anonpw
"""


def test_netrc_auth(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "netrc"
    path.write_text(NETRC)
    path.chmod(0o600)
    env.setenv("NETRC", str(path))
    assert H.netrc_auth("example.com") == ("alice", "s3cret", "latin1")
    assert H.netrc_auth("acct.example") == ("acc", "pw", "latin1")
    assert H.netrc_auth("other.host") == ("anon", "anonpw", "latin1")  # default entry
    assert H.netrc_auth(None) is None


def test_netrc_missing_or_broken(env: pytest.MonkeyPatch, tmp_path: Path,
                                 caplog: pytest.LogCaptureFixture) -> None:
    assert H.netrc_auth("example.com") is None
    bad = tmp_path / "bad"
    bad.write_text("machine example.com login a password b\nbogus token\n")
    env.setenv("NETRC", str(bad))
    with caplog.at_level(logging.WARNING, logger="cyhttp._client.session"):
        assert H.netrc_from_env() is None
    assert H.netrc_auth("example.com") is None
    with pytest.raises(LookupError):
        H.basicauth_from_netrc(None, "example.com")


def test_proxies_from_env(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env.setenv("HTTP_PROXY", "http://user:pw@proxy.local:3128")
    env.setenv("https_proxy", "http://proxy.local:3129")
    env.setenv("WS_PROXY", "http://proxy.local:3130")
    env.setenv("WSS_PROXY", "https://tls-proxy.local")  # unsupported: skipped
    path = tmp_path / "netrc"
    path.write_text(NETRC)
    env.setenv("NETRC", str(path))
    proxies = H.proxies_from_env()
    assert set(proxies) == {"http", "https", "ws"}
    assert proxies["http"] == (URL("http://proxy.local:3128"), ("user", "pw", "latin1"))
    # No credentials in the URL: netrc's entry for the proxy host is used.
    assert proxies["https"].proxy_auth == ("pu", "pp", "latin1")
    ref = ah.proxies_from_env()
    assert {k: (v.proxy, tuple(v.proxy_auth or ())) for k, v in proxies.items()} == {
        k: (v.proxy, tuple(v.proxy_auth or ())) for k, v in ref.items()
    }


def test_get_env_proxy_for_url(env: pytest.MonkeyPatch) -> None:
    env.setenv("HTTP_PROXY", "http://proxy.local:3128")
    env.setenv("NO_PROXY", "internal.example,.corp")
    assert H.get_env_proxy_for_url(URL("http://example.com/x")) == (
        URL("http://proxy.local:3128"), None)
    for url in ("http://internal.example/", "http://a.corp/", "https://example.com/"):
        with pytest.raises(LookupError):
            H.get_env_proxy_for_url(URL(url))
        with pytest.raises(LookupError):
            ah.get_env_proxy_for_url(URL(url))


def test_no_proxy_star(env: pytest.MonkeyPatch) -> None:
    env.setenv("HTTP_PROXY", "http://proxy.local:3128")
    env.setenv("NO_PROXY", "*")
    with pytest.raises(LookupError):
        H.get_env_proxy_for_url(URL("http://example.com/"))


def test_no_proxies(env: pytest.MonkeyPatch) -> None:
    assert H.proxies_from_env() == {}
    with pytest.raises(LookupError):
        H.get_env_proxy_for_url(URL("http://example.com/"))
