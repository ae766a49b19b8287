"""aiohttp's ``client_reqrep`` import path: ClientRequest, ClientResponse, Fingerprint.

The request and the response live in ``client_request.py`` / ``client_response.py``;
this module re-exports them and ``Fingerprint`` (certificate pinning, ``client_ssl.py``).
"""

from __future__ import annotations

from ._client.reqinfo import ConnectionKey, RequestInfo
from ._client.request import ClientRequest
from ._client.response import ClientResponse, ContentDisposition
from ._client.tls import Fingerprint

__all__ = ("ClientRequest", "ClientResponse", "ConnectionKey", "ContentDisposition", "Fingerprint", "RequestInfo")
