"""What ``trust_env=True`` reads from the environment: netrc credentials and proxies.

How this works: plain functions over ``$NETRC`` / ``~/.netrc`` and the ``*_PROXY`` /
``NO_PROXY`` variables (via ``urllib.request``); nothing is cached, so a changed
environment is seen by the next request that asks.
"""

from __future__ import annotations

import netrc
import os
from pathlib import Path
from typing import NamedTuple
from urllib.request import getproxies, proxy_bypass

from yarl import URL

from .._http.auth import BasicAuth, strip_auth_from_url
from .._http.log import client_logger

__all__ = (
    "ProxyInfo",
    "basicauth_from_netrc",
    "get_env_proxy_for_url",
    "netrc_auth",
    "netrc_from_env",
    "proxies_from_env",
)



# --- netrc --------------------------------------------------------------------


def netrc_from_env() -> netrc.netrc | None:
    """The netrc file named by $NETRC, else ~/.netrc (~/_netrc on Windows).

    None when it is missing or unparsable (a warning is logged when the file
    was asked for or exists).
    """
    env = os.environ.get("NETRC")
    if env is not None:
        path = Path(env)
    else:
        try:
            home = Path.home()
        except RuntimeError:
            return None
        path = home / ("_netrc" if os.name == "nt" else ".netrc")
    try:
        return netrc.netrc(str(path))
    except netrc.NetrcParseError as exc:
        client_logger.warning("Could not parse .netrc file: %s", exc)
    except OSError as exc:
        exists = False
        try:
            exists = path.is_file()
        except OSError:
            pass
        if env or exists:
            client_logger.warning("Could not read .netrc file: %s", exc)
    return None


def basicauth_from_netrc(netrc_obj: netrc.netrc | None, host: str) -> BasicAuth:
    """Credentials for ``host``; LookupError when there is no file or entry."""
    if netrc_obj is None:
        raise LookupError("No .netrc file found")
    entry = netrc_obj.authenticators(host)
    if entry is None:
        raise LookupError(f"No entry for {host!s} found in the `.netrc` file.")
    login, account, password = entry
    # Python < 3.11 gives account=None when absent; login falls back to account.
    username = login if (login or account is None) else account
    return tuple.__new__(BasicAuth, (username, password or "", "latin1"))


def netrc_auth(host: str | None) -> BasicAuth | None:
    """``trust_env`` credentials for ``host`` from the netrc file, or None."""
    if not host:
        return None
    try:
        return basicauth_from_netrc(netrc_from_env(), host)
    except LookupError:
        return None


# --- proxies from the environment --------------------------------------------


class ProxyInfo(NamedTuple):
    proxy: URL
    proxy_auth: BasicAuth | None


def proxies_from_env() -> dict[str, ProxyInfo]:
    """Proxies from HTTP(S)_PROXY / WS(S)_PROXY (either case), by scheme.

    Credentials come from the proxy URL, else from netrc; https:// and wss://
    proxy URLs are not supported and are skipped with a warning (as aiohttp).
    """
    urls = {k: URL(v) for k, v in getproxies().items() if k in ("http", "https", "ws", "wss")}
    netrc_obj = netrc_from_env() if urls else None
    result: dict[str, ProxyInfo] = {}
    for proto, url in urls.items():
        proxy, auth = strip_auth_from_url(url)
        if proxy.scheme in ("https", "wss"):
            client_logger.warning(
                "%s proxies %s are not supported, ignoring", proxy.scheme.upper(), proxy
            )
            continue
        if netrc_obj is not None and auth is None and proxy.host is not None:
            try:
                auth = basicauth_from_netrc(netrc_obj, proxy.host)
            except LookupError:
                auth = None
        result[proto] = ProxyInfo(proxy, auth)
    return result


def get_env_proxy_for_url(url: URL) -> tuple[URL, BasicAuth | None]:
    """The environment's proxy for ``url``; LookupError when none applies
    (no proxy for the scheme, or the host matches NO_PROXY)."""
    if url.host is not None and proxy_bypass(url.host):
        raise LookupError(f"Proxying is disallowed for `{url.host!r}`")
    try:
        info = proxies_from_env()[url.scheme]
    except KeyError:
        raise LookupError(f"No proxies found for `{url!s}` in the env") from None
    return info.proxy, info.proxy_auth
