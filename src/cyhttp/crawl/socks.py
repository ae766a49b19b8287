"""SOCKS4 / 4a / 5 / 5h proxies: ``SocksConnector``, a ``TCPConnector`` that dials through one.

How this works: the connector overrides how a connection is made and nothing else —
pooling, keep-alive, limits, TLS contexts and fingerprints stay the ``TCPConnector``'s.
python-socks (the optional extra ``cyhttp[socks]``) opens the TCP connection to the
proxy and runs the SOCKS handshake for the origin's host and port; TLS to the origin
(https) is then started over that socket, as over a direct one.  ``socks5h://`` and
``socks4a://`` let the proxy resolve the host name; ``socks5://`` and ``socks4://``
resolve it here.  Failures are typed: ``SocksAuthError`` (credentials refused),
``SocksConnectRefused`` (the proxy would not connect to the origin; ``reply_code`` says
why) and ``SocksError`` for the rest — all ``ClientProxyConnectionError``\\ s, so
retries and error handling treat them as connection errors.

    connector = SocksConnector("socks5h://user:pass@127.0.0.1:1080")
    async with cyhttp.ClientSession(connector=connector) as session: ...

One proxy per connector (per session) for now: a per-request ``proxy="socks5h://..."``
needs the client's connection step to hand SOCKS URLs to the connector (docs/crawl.md).
"""

from __future__ import annotations

import asyncio
import os
import ssl
from typing import Any

from yarl import URL

import cyhttp
from cyhttp import TCPConnector
from cyhttp.client_reqrep import ConnectionKey

__all__ = ("SocksAuthError", "SocksConnectRefused", "SocksConnector", "SocksError", "SOCKS_SCHEMES")

# scheme -> (python-socks proxy type name, the proxy resolves names)
SOCKS_SCHEMES: dict[str, tuple[str, bool]] = {
    "socks4": ("SOCKS4", False),
    "socks4a": ("SOCKS4", True),
    "socks5": ("SOCKS5", False),
    "socks5h": ("SOCKS5", True),
}


class SocksError(cyhttp.ClientProxyConnectionError):
    """The SOCKS proxy could not give us a connection to the origin."""

    def __init__(self, connection_key: ConnectionKey, os_error: OSError, reply_code: int | None = None) -> None:
        super().__init__(connection_key, os_error)
        self.reply_code = reply_code


class SocksAuthError(SocksError):
    """The SOCKS proxy refused the username and password (or offered no method we have)."""


class SocksConnectRefused(SocksError):
    """The SOCKS proxy answered the CONNECT with a failure code (``reply_code``)."""


def _parse(proxy: str | URL) -> tuple[URL, str, bool]:
    url = proxy if isinstance(proxy, URL) else URL(proxy)
    scheme = url.scheme.lower()
    if scheme not in SOCKS_SCHEMES or not url.raw_host:
        raise ValueError(f"not a SOCKS proxy URL (socks4/4a/5/5h://[user:pass@]host[:port]): {proxy}")
    kind, rdns = SOCKS_SCHEMES[scheme]
    return url, kind, rdns


class SocksConnector(TCPConnector):
    """A TCPConnector whose every connection goes through the SOCKS proxy ``proxy``."""

    def __init__(self, proxy: str | URL, **kwargs: Any) -> None:
        self.proxy_url, kind, self.remote_dns = _parse(proxy)
        try:
            from python_socks import ProxyType
            from python_socks.async_.asyncio import Proxy
        except ImportError as exc:  # pragma: no cover - the optional extra
            raise ImportError("SOCKS proxies need python-socks: pip install 'cyhttp[socks]'") from exc
        super().__init__(**kwargs)
        url = self.proxy_url
        self._proxy_args: dict[str, Any] = {
            "proxy_type": ProxyType[kind], "host": url.host or "", "port": url.port or 1080,
            "username": url.user, "password": url.password, "rdns": self.remote_dns,
        }
        self._proxy_class: Any = Proxy

    @classmethod
    def from_env(cls, **kwargs: Any) -> SocksConnector | None:
        """A connector for ``ALL_PROXY`` / ``all_proxy`` when it is a SOCKS URL, else None."""
        value = os.environ.get("ALL_PROXY") or os.environ.get("all_proxy")
        if not value or URL(value).scheme.lower() not in SOCKS_SCHEMES:
            return None
        return cls(value, **kwargs)

    def __repr__(self) -> str:
        return f"<SocksConnector {self.proxy_url.with_user(None)}>"

    async def _create_connection(self, req: Any, traces: list[Any], timeout: cyhttp.ClientTimeout) -> Any:
        from python_socks import ProxyConnectionError, ProxyError, ProxyTimeoutError

        loop = asyncio.get_running_loop()
        key = req.connection_key
        host = req.url.raw_host
        port = req.port
        connect_timeout = timeout.sock_connect or timeout.total or None
        proxy = self._proxy_class(loop=loop, **self._proxy_args)
        try:
            sock = await proxy.connect(dest_host=host, dest_port=port, timeout=connect_timeout)
        except ProxyTimeoutError as exc:
            raise cyhttp.ConnectionTimeoutError(f"Connection timeout to host {req.url} via {self!r}") from exc
        except ProxyConnectionError as exc:
            raise SocksError(key, OSError(exc.errno, f"cannot reach the SOCKS proxy: {exc}")) from exc
        except ProxyError as exc:
            text = str(exc)
            code = exc.error_code
            if "uthentication" in text or "acceptable auth" in text.lower():
                raise SocksAuthError(key, OSError(None, f"SOCKS authentication failed: {text}"), code) from exc
            if code is not None:
                raise SocksConnectRefused(key, OSError(None, f"SOCKS proxy refused the connection: {text}"),
                                          code) from exc
            raise SocksError(key, OSError(None, f"SOCKS proxy error: {text}")) from exc
        except OSError as exc:
            raise SocksError(key, exc) from exc
        sslcontext = self._get_ssl_context(req)
        kwargs: dict[str, Any] = {}
        if sslcontext is not None:
            kwargs["ssl"] = sslcontext
            kwargs["server_hostname"] = (req.server_hostname or host).rstrip(".")
            kwargs["ssl_handshake_timeout"] = connect_timeout
        try:
            transport, proto = await loop.create_connection(self._factory, sock=sock, **kwargs)
        except BaseException as exc:
            sock.close()
            if isinstance(exc, OSError) and not isinstance(exc, asyncio.TimeoutError):
                if isinstance(exc, ssl.SSLCertVerificationError):
                    raise cyhttp.ClientConnectorCertificateError(key, exc) from exc
                if isinstance(exc, ssl.SSLError):
                    raise cyhttp.ClientConnectorSSLError(key, exc) from exc
                raise cyhttp.ClientConnectorError(key, exc) from exc
            raise
        if sslcontext is not None:
            fingerprint = self._get_fingerprint(req)
            if fingerprint is not None:
                try:
                    fingerprint.check(transport)
                except cyhttp.ServerFingerprintMismatch:
                    transport.abort()
                    raise
        return proto
