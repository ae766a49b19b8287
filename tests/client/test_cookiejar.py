"""cookiejar.py / cookie_parse.py: RFC 6265 storage and matching (pure module)."""

from __future__ import annotations

import json
import os
import stat
import time
from http.cookies import BaseCookie, Morsel, SimpleCookie
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from cyhttp._client.cookiejar import (
    MAX_PER_DOMAIN,
    MAX_TOTAL,
    CookieJar,
    DummyCookieJar,
)
from cyhttp._http.cookie_parse import parse_cookie_date, parse_set_cookie_headers
from cyhttp.abc import AbstractCookieJar

HOST = URL("http://www.example.com/dir/page")


def sent(jar: CookieJar | aiohttp.CookieJar, url: str) -> dict[str, str]:
    return {k: m.value for k, m in jar.filter_cookies(URL(url)).items()}


def jar_with(*headers: str, url: URL = HOST, **kw: object) -> CookieJar:
    jar = CookieJar(**kw)  # type: ignore[arg-type]
    jar.update_cookies_from_headers(list(headers), url)
    return jar


def test_is_an_abstract_cookie_jar() -> None:
    assert isinstance(CookieJar(), AbstractCookieJar)
    assert isinstance(DummyCookieJar(), AbstractCookieJar)


def test_host_only_vs_domain_cookie() -> None:
    jar = jar_with("host=1", "dom=2; Domain=example.com")
    assert sent(jar, "http://www.example.com/dir/") == {"host": "1", "dom": "2"}
    assert sent(jar, "http://sub.www.example.com/dir/") == {"dom": "2"}
    assert sent(jar, "http://example.com/dir/") == {"dom": "2"}
    assert sent(jar, "http://notexample.com/dir/") == {}
    assert ("www.example.com", "/dir", "host") in jar.host_only_cookies


def test_leading_dot_domain_and_case() -> None:
    jar = jar_with("a=1; Domain=.EXAMPLE.com; Path=/")
    assert sent(jar, "http://x.example.com/") == {"a": "1"}


def test_foreign_domain_refused() -> None:
    jar = jar_with("a=1; Domain=other.com", "b=2; Domain=ww.example.com")
    assert len(jar) == 0


@pytest.mark.parametrize("domain", ["com", ".com", "COM"])
def test_bare_tld_domain_refused(domain: str) -> None:
    assert len(jar_with(f"a=1; Domain={domain}")) == 0


def test_single_label_host_may_name_itself() -> None:
    jar = jar_with("a=1; Domain=localhost", url=URL("http://localhost/"))
    assert sent(jar, "http://localhost/") == {"a": "1"}


def test_trailing_dot_domain_becomes_host_only() -> None:
    jar = jar_with("a=1; Domain=example.com.; Path=/")
    assert sent(jar, "http://www.example.com/") == {"a": "1"}
    assert sent(jar, "http://sub.www.example.com/") == {}


@pytest.mark.parametrize(
    ("cookie_path", "request_path", "match"),
    [("/", "/", True), ("/", "/anything", True), ("/foo", "/foo", True),
     ("/foo", "/foo/", True), ("/foo", "/foo/bar", True), ("/foo", "/foobar", False),
     ("/foo/", "/foo", False), ("/foo/", "/foo/bar", True), ("/foo", "/", False),
     ("/a/b", "/a/b/c/d", True), ("/a/b", "/a", False)],
)
def test_path_matching(cookie_path: str, request_path: str, match: bool) -> None:
    jar = jar_with(f"a=1; Path={cookie_path}", url=URL("http://h.example/"))
    assert (sent(jar, "http://h.example" + request_path) == {"a": "1"}) is match


@pytest.mark.parametrize(
    ("response_path", "expected"),
    [("/", "/"), ("/page", "/"), ("/dir/page", "/dir"), ("/a/b/c", "/a/b"), ("", "/")],
)
def test_default_path(response_path: str, expected: str) -> None:
    jar = jar_with("a=1", url=URL("http://h.example").with_path(response_path))
    (morsel,) = list(jar)
    assert morsel["path"] == expected


def test_secure_only_over_https_or_trusted_origin() -> None:
    jar = jar_with("s=1; Secure; Path=/", "p=2; Path=/")
    assert sent(jar, "http://www.example.com/") == {"p": "2"}
    assert sent(jar, "https://www.example.com/") == {"s": "1", "p": "2"}
    assert sent(jar, "wss://www.example.com/") == {"s": "1", "p": "2"}
    trusted = jar_with("s=1; Secure; Path=/", treat_as_secure_origin="http://www.example.com")
    assert sent(trusted, "http://www.example.com/x") == {"s": "1"}
    assert sent(trusted, "http://www.example.com:8080/x") == {}
    assert trusted.treat_as_secure_origin == frozenset({URL("http://www.example.com")})


def test_httponly_and_samesite_recorded() -> None:
    (morsel,) = list(jar_with("a=1; HttpOnly; SameSite=Strict"))
    assert morsel["httponly"] is True and morsel["samesite"] == "Strict"


def test_max_age_beats_expires() -> None:
    jar = jar_with("a=1; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=3600",
                   "b=2; Max-Age=0; Expires=Wed, 09 Jun 2100 10:18:14 GMT")
    assert sent(jar, "http://www.example.com/dir/") == {"a": "1"}


def test_expired_cookie_deletes_stored_one() -> None:
    jar = jar_with("a=1; Path=/")
    assert len(jar) == 1
    jar.update_cookies_from_headers(["a=gone; Path=/; Max-Age=-5"], HOST)
    assert len(jar) == 0 and sent(jar, "http://www.example.com/") == {}
    jar = jar_with("a=1; Path=/")
    jar.update_cookies_from_headers(["a=x; Path=/; Expires=Sun, 06 Nov 1994 08:49:37 GMT"], HOST)
    assert len(jar) == 0


def test_expiry_happens_with_time(monkeypatch: pytest.MonkeyPatch) -> None:
    jar = jar_with("a=1; Path=/; Max-Age=10", "b=2; Path=/")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 11)
    assert sent(jar, "http://www.example.com/") == {"b": "2"}
    assert len(jar) == 1 and [m.key for m in jar] == ["b"]


def test_replacement_drops_old_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    jar = jar_with("a=1; Path=/; Max-Age=10")
    jar.update_cookies_from_headers(["a=2; Path=/"], HOST)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 11)
    assert sent(jar, "http://www.example.com/") == {"a": "2"}


@pytest.mark.parametrize("bad", ["1e3", "abc", " ", "+5", "5s"])
def test_invalid_max_age_ignored(bad: str) -> None:
    jar = jar_with(f"a=1; Path=/; Max-Age={bad}")
    assert sent(jar, "http://www.example.com/") == {"a": "1"}


def test_no_cookies_for_ip_hosts_unless_unsafe() -> None:
    url = URL("http://127.0.0.1/")
    assert len(jar_with("a=1", url=url)) == 0
    jar = CookieJar()
    jar.update_cookies({"a": "1"}, url)
    assert len(jar) == 0
    unsafe = jar_with("a=1", url=url, unsafe=True)
    assert sent(unsafe, "http://127.0.0.1/") == {"a": "1"}
    assert sent(unsafe, "http://127.0.0.2/") == {}


def test_ip_host_gets_no_domain_cookies() -> None:
    jar = jar_with("a=1; Domain=example.com; Path=/")
    assert sent(jar, "http://10.0.0.1/") == {}


MALFORMED = ["", "novalue", "=v", " =v", "a\r\nb=1", "a=b\nc", "a=b\x00", "$Version=1",
             "a=" + "x" * 5000, ";;;", "=", "\x7f=1"]


@pytest.mark.parametrize("header", MALFORMED)
def test_malformed_set_cookie_ignored(header: str) -> None:
    jar = jar_with(header, "ok=1; Path=/")
    assert sent(jar, "http://www.example.com/") == {"ok": "1"}


def test_set_cookie_size_limit_edges() -> None:
    assert parse_set_cookie_headers(["a=" + "x" * 4095])
    assert not parse_set_cookie_headers(["a=" + "x" * 4096])


def test_crlf_values_refused_from_mappings() -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "x\r\nInjected: 1", "b\n": "1", "ok": "1"}, HOST)
    assert sent(jar, "http://www.example.com/dir/") == {"ok": "1"}
    morsel: Morsel[str] = Morsel()
    morsel.set("m", "v", "v")
    morsel._value = "bad\r\n"  # type: ignore[attr-defined]
    jar.update_cookies({"m": morsel}, HOST)
    assert "m" not in sent(jar, "http://www.example.com/dir/")


def test_names_http_cookies_refuses_are_kept() -> None:
    jar = jar_with("a[0]=1; Path=/", "a:b=2; Path=/")
    assert sent(jar, "http://www.example.com/") == {"a[0]": "1", "a:b": "2"}


def test_quoting() -> None:
    jar = jar_with('q="quoted"; Path=/', "sp=a b; Path=/")
    cookies = jar.filter_cookies(URL("http://www.example.com/"))
    assert cookies["q"].value == "quoted" and cookies["q"].coded_value == '"quoted"'
    assert cookies["sp"].coded_value == '"a b"'
    raw = jar_with('q="quoted"; Path=/', "sp=a b; Path=/", quote_cookie=False)
    cookies = raw.filter_cookies(URL("http://www.example.com/"))
    assert cookies["sp"].coded_value == "a b" and cookies["q"].coded_value == "quoted"


def test_most_specific_wins() -> None:
    jar = jar_with("a=dom; Domain=example.com; Path=/", "a=host; Path=/",
                   "a=deep; Path=/dir")
    assert sent(jar, "http://www.example.com/dir/x") == {"a": "deep"}
    assert sent(jar, "http://www.example.com/") == {"a": "host"}


def test_shared_cookies_without_url() -> None:
    jar = CookieJar()
    jar.update_cookies({"a": "1", "b": "2"})
    assert sent(jar, "http://anything.test/x") == {"a": "1", "b": "2"}
    jar.update_cookies(SimpleCookie("c=3"))
    jar.update_cookies([("d", "4")])
    assert len(jar) == 4


def test_len_is_a_counter_and_iter() -> None:
    jar = jar_with("a=1", "b=2", "a=3")
    assert len(jar) == 2
    assert sorted(m.key for m in jar) == ["a", "b"]
    assert isinstance(jar.filter_cookies(HOST), BaseCookie)
    assert len(CookieJar()) == 0 and sent(CookieJar(), "http://x/") == {}


def test_clear_and_clear_domain() -> None:
    jar = jar_with("a=1; Domain=example.com", "b=2", "c=3; Path=/")
    jar.update_cookies_from_headers(["d=4"], URL("http://other.org/"))
    jar.clear(lambda m: m.key == "a")
    assert sorted(m.key for m in jar) == ["b", "c", "d"] and len(jar) == 3
    jar.clear_domain("example.com")
    assert [m.key for m in jar] == ["d"] and len(jar) == 1
    jar.clear()
    assert len(jar) == 0 and list(jar) == [] and not jar.cookies


def test_per_domain_limit_evicts_oldest() -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers([f"c{i}=1; Path=/" for i in range(MAX_PER_DOMAIN)], HOST)
    assert len(jar) == MAX_PER_DOMAIN  # just at the limit: all kept
    jar.update_cookies_from_headers(["new=1; Path=/"], HOST)
    names = {m.key for m in jar}
    assert len(jar) == MAX_PER_DOMAIN and "new" in names and "c0" not in names


def test_total_limit_evicts_oldest() -> None:
    jar = CookieJar()
    per = MAX_TOTAL // 20
    for d in range(20):
        url = URL(f"http://h{d}.example/")
        jar.update_cookies_from_headers([f"c{i}=1; Path=/" for i in range(per)], url)
    assert len(jar) == MAX_TOTAL  # just at the limit: all kept
    jar.update_cookies_from_headers(["new=1; Path=/"], URL("http://last.example/"))
    assert len(jar) == MAX_TOTAL
    assert sent(jar, "http://h0.example/").get("c0") is None
    assert sent(jar, "http://last.example/") == {"new": "1"}


def test_save_and_load(tmp_path: Path) -> None:
    jar = jar_with("a=1; Path=/; Max-Age=3600", "h=2; Path=/", "d=3; Domain=example.com",
                   "s=4; Secure; HttpOnly; SameSite=Lax; Path=/")
    file = tmp_path / "jar.json"
    jar.save(file)
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    json.loads(file.read_text())  # plain JSON, never pickle
    loaded = CookieJar()
    loaded.update_cookies({"old": "1"})
    loaded.load(file)
    assert len(loaded) == 4
    for url in ("http://www.example.com/dir/", "https://www.example.com/", "http://sub.example.com/"):
        assert sent(loaded, url) == sent(jar, url)
    assert loaded.host_only_cookies == jar.host_only_cookies
    (s,) = [m for m in loaded if m.key == "s"]
    assert s["secure"] and s["httponly"] and s["samesite"] == "Lax"


def test_save_tightens_existing_file_mode(tmp_path: Path) -> None:
    file = tmp_path / "jar.json"
    file.write_text("{}")
    file.chmod(0o644)
    jar_with("a=1").save(file)
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600


@pytest.mark.parametrize("content", ["not json", "[1]", '{"a|/": {"x": {"value": "1"}}}',
                                     '{"a|/": {"x": {"key": "y", "value": "1", "coded_value": "1"}}}'])
def test_load_malformed_leaves_jar_unchanged(tmp_path: Path, content: str) -> None:
    file = tmp_path / "jar.json"
    file.write_text(content)
    jar = jar_with("a=1; Path=/")
    with pytest.raises(ValueError):
        jar.load(file)
    assert sent(jar, "http://www.example.com/") == {"a": "1"}


async def test_loads_aiohttp_saved_file(tmp_path: Path) -> None:
    ref = aiohttp.CookieJar()
    ref.update_cookies_from_headers(["a=1; Path=/", "d=2; Domain=example.com; Path=/"], HOST)
    ref.save(tmp_path / "ref.json")
    jar = CookieJar()
    jar.load(tmp_path / "ref.json")
    for url in ("http://www.example.com/", "http://x.example.com/"):
        assert sent(jar, url) == sent(ref, url)


SCENARIO = ["a=1; Path=/", "b=2", "c=3; Domain=example.com; Path=/", "d=4; Secure; Path=/",
            "e=5; Max-Age=0", 'f="v"; Path=/dir', "g=7; Path=/dir/", "h=8; Domain=.example.com"]


@pytest.mark.parametrize(
    "url",
    ["http://www.example.com/", "http://www.example.com/dir", "http://www.example.com/dir/x",
     "https://www.example.com/dir/", "http://example.com/", "http://a.www.example.com/dir/"],
)
async def test_same_as_aiohttp(url: str) -> None:
    ours = jar_with(*SCENARIO)
    ref = aiohttp.CookieJar()
    ref.update_cookies_from_headers(SCENARIO, HOST)
    assert sent(ours, url) == sent(ref, url)
    assert len(ours) == len(ref)


def test_dummy_cookie_jar() -> None:
    jar = DummyCookieJar()
    jar.update_cookies({"a": "1"}, HOST)
    jar.update_cookies_from_headers(["a=1"], HOST)
    assert len(jar) == 0 and list(jar) == [] and len(jar.filter_cookies(HOST)) == 0
    jar.clear()
    jar.clear_domain("x")
    assert not jar.unsafe and jar.quote_cookie and not jar.cookies


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Wed, 09 Jun 2021 10:18:14 GMT", "2021-06-09 10:18:14"),
     ("Wednesday, 09-Jun-21 10:18:14 GMT", "2021-06-09 10:18:14"),
     ("Sun Nov  6 08:49:37 1994", "1994-11-06 08:49:37"),
     ("09 Jun 70 00:00:00", "1970-06-09 00:00:00"),
     ("09 Jun 69 00:00:00", "2069-06-09 00:00:00"),
     ("Jun 9 2021 1:2:3", "2021-06-09 01:02:03"),
     ("Wed, 09 Jun 2021", None), ("Wed, 32 Jun 2021 10:18:14 GMT", None),
     ("Wed, 09 Jun 2021 24:00:00 GMT", None), ("09 Jun 1600 00:00:00", None),
     ("garbage", None), ("", None)],
)
def test_parse_cookie_date(text: str, expected: str | None) -> None:
    got = parse_cookie_date(text)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(got)) == expected


# --- fuzz: parsing never raises, stored cookies are always sendable -----------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_COOKIEISH = st.lists(
    st.sampled_from(["a", "=", ";", " ", '"', "\r", "\n", "\x00", "Path=/", "Domain=",
                     "example.com", ".", "Max-Age=", "-1", "99", "Expires=", "Secure",
                     "HttpOnly", "SameSite=Lax", "é", "\t", "$"]),
    max_size=12,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(headers=st.lists(st.one_of(_COOKIEISH, st.text(max_size=40)), max_size=4))
def test_fuzz_set_cookie_never_raises(headers: list[str]) -> None:
    jar = CookieJar()
    jar.update_cookies_from_headers(headers, HOST)
    for morsel in jar.filter_cookies(URL("https://www.example.com/dir/x")).values():
        text = f"{morsel.key}={morsel.coded_value}"
        assert "\r" not in text and "\n" not in text and "\x00" not in text
    assert len(jar) == len(list(jar))


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=40), _COOKIEISH))
def test_fuzz_cookie_date_never_raises(text: str) -> None:
    got = parse_cookie_date(text)
    assert got is None or isinstance(got, float)
