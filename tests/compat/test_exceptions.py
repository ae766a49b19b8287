"""The exception tree matches aiohttp's: names, bases (whole MRO) and key behaviours."""

from __future__ import annotations

import asyncio
import ssl

import aiohttp.client_exceptions as reference
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

import cyhttp._client.exceptions as ours
from cyhttp._client.reqinfo import ConnectionKey, RequestInfo


@pytest.mark.parametrize("name", sorted(reference.__all__))
def test_same_name_and_mro(name: str) -> None:
    mine = getattr(ours, name)
    theirs = getattr(reference, name)
    assert [c.__name__ for c in mine.__mro__] == [c.__name__ for c in theirs.__mro__]


def _key() -> ConnectionKey:
    return ConnectionKey("example.com", 443, True, True, None, None, None)


def test_connector_error_carries_key_and_os_error() -> None:
    err = ours.ClientConnectorError(_key(), ConnectionRefusedError(111, "Connection refused"))
    assert (err.host, err.port, err.ssl, err.errno) == ("example.com", 443, True, 111)
    assert isinstance(err.os_error, ConnectionRefusedError)
    assert str(err) == "Cannot connect to host example.com:443 ssl:default [Connection refused]"
    ref = reference.ClientConnectorError(_key(), ConnectionRefusedError(111, "Connection refused"))
    assert str(err) == str(ref)
    assert isinstance(err, OSError) and isinstance(err, ours.ClientError)


def test_certificate_error_is_an_ssl_cert_error() -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    err = ours.ClientConnectorCertificateError(_key(), cause)
    assert err.certificate_error is cause
    assert isinstance(err, ssl.SSLCertVerificationError)
    assert "Cannot connect to host example.com:443 ssl:True" in str(err)


def test_response_error_text_and_status() -> None:
    info = RequestInfo.make(URL("http://h/x"), "GET", CIMultiDictProxy(CIMultiDict()))
    err = ours.ClientResponseError(info, (), status=404, message="Not Found")
    assert str(err) == "404, message='Not Found', url='http://h/x'"
    with pytest.warns(DeprecationWarning):
        assert err.status == err.code == 404
    assert isinstance(ours.TooManyRedirects(info, ()), ours.ClientResponseError)


def test_response_error_code_is_deprecated_as_in_aiohttp() -> None:
    info = RequestInfo.make(URL("http://h/x"), "GET", CIMultiDictProxy(CIMultiDict()))
    with pytest.warns(DeprecationWarning):
        err = ours.ClientResponseError(info, (), code=400)
    assert err.status == 400
    with pytest.warns(DeprecationWarning):
        err.code = 404
    assert err.status == 404
    with pytest.raises(ValueError):
        ours.ClientResponseError(info, (), code=400, status=400)


def test_certificate_error_carries_an_os_error() -> None:
    cause = OSError(1, "Bad certificate")
    err = ours.ClientConnectorCertificateError(_key(), cause)
    assert err.os_error is cause
    assert (err.errno, err.strerror) == (1, "Bad certificate")
    other = ours.ClientConnectorCertificateError(_key(), Exception("Bad certificate"))
    assert isinstance(other.os_error, OSError) and other.errno is None


def test_timeouts_are_asyncio_timeouts() -> None:
    assert issubclass(ours.ConnectionTimeoutError, asyncio.TimeoutError)
    assert issubclass(ours.SocketTimeoutError, ours.ServerTimeoutError)


def test_server_disconnected_default_message() -> None:
    assert ours.ServerDisconnectedError().message == "Server disconnected"
    assert str(ours.InvalidURL("x", "bad")) == "x - bad"
