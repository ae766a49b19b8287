"""aiohttp's ``helpers`` import path: ``BasicAuth``, versions, content types, netrc and proxies.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._client.env import (
    ProxyInfo,
    basicauth_from_netrc,
    get_env_proxy_for_url,
    netrc_auth,
    netrc_from_env,
    proxies_from_env,
)
from ._http.auth import (
    BasicAuth,
)
from ._http.helpers import (
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    is_expected_content_type,
    is_ip_address,
    parse_content_type,
    parse_links,
    sentinel,
)

__all__ = (
    "BasicAuth",
    "HttpVersion",
    "HttpVersion10",
    "HttpVersion11",
    "is_expected_content_type",
    "is_ip_address",
    "parse_content_type",
    "parse_links",
    "sentinel",
    "ProxyInfo",
    "basicauth_from_netrc",
    "get_env_proxy_for_url",
    "netrc_auth",
    "netrc_from_env",
    "proxies_from_env",
)
