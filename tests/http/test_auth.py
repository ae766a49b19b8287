"""auth.py: BasicAuth against aiohttp 3.14's behaviour."""

from __future__ import annotations

import warnings

import aiohttp
import pytest
from yarl import URL

from cyhttp._http.auth import BasicAuth, encode_basic_auth, strip_auth_from_url


def _ref(*args: str) -> aiohttp.BasicAuth:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return aiohttp.BasicAuth(*args)


@pytest.mark.parametrize(
    ("login", "password", "encoding"),
    [("u", "p", "latin1"), ("", "", "latin1"), ("nick", "pa:ss", "latin1"),
     ("ümlaut", "pässword", "latin1"), ("ü", "€", "utf-8"), ("a b", "", "latin1")],
)
def test_encode_same_as_aiohttp(login: str, password: str, encoding: str) -> None:
    ours = BasicAuth(login, password, encoding)
    assert ours.encode() == _ref(login, password, encoding).encode()
    assert tuple(ours) == (login, password, encoding)
    assert BasicAuth.decode(ours.encode(), encoding) == ours


def test_defaults_and_tuple_shape() -> None:
    auth = BasicAuth("user")
    assert auth == ("user", "", "latin1")
    assert auth.login == "user" and auth.password == "" and auth.encoding == "latin1"
    assert isinstance(auth, tuple)


@pytest.mark.parametrize("bad", [("a:b", "p"), (None, "p"), ("a", None)])
def test_invalid_construction(bad: tuple) -> None:
    with pytest.raises(ValueError):
        BasicAuth(*bad)


def test_encode_basic_auth_function() -> None:
    assert encode_basic_auth("Aladdin", "open sesame") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    with pytest.raises(ValueError):
        encode_basic_auth("a:b")


@pytest.mark.parametrize(
    "header",
    ["Basic", "Bearer abc", "Basic !!!notbase64", "Basic bm9jb2xvbg==", "Basic ä"],
)
def test_decode_errors(header: str) -> None:
    with pytest.raises(ValueError):
        BasicAuth.decode(header)
    with pytest.raises(ValueError):
        aiohttp.BasicAuth.decode(header)


def test_decode_case_insensitive_scheme() -> None:
    assert BasicAuth.decode("basic dTpw") == ("u", "p", "latin1")
    assert BasicAuth.decode("BASIC Ojo=") == ("", ":", "latin1")


@pytest.mark.parametrize(
    "url",
    ["http://u:p@h/", "http://u@h/", "http://:p@h/", "http://h/", "http://%C3%BC:%20x@h/"],
)
def test_from_url(url: str) -> None:
    ours = BasicAuth.from_url(URL(url))
    ref = aiohttp.BasicAuth.from_url(URL(url))
    assert (None if ours is None else tuple(ours)) == (None if ref is None else tuple(ref))


def test_from_url_type_checked() -> None:
    with pytest.raises(TypeError):
        BasicAuth.from_url("http://u:p@h/")  # type: ignore[arg-type]


def test_strip_auth_from_url() -> None:
    url, auth = strip_auth_from_url(URL("http://u:p@h:81/x?q"))
    assert url == URL("http://h:81/x?q") and auth == ("u", "p", "latin1")
    assert strip_auth_from_url(URL("http://h/")) == (URL("http://h/"), None)
