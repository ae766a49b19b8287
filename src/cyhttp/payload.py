"""aiohttp's ``payload`` import path: the request body classes and their registry.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._http.payload import (
    PAYLOAD_REGISTRY,
    AsyncIterablePayload,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    IOBasePayload,
    JsonPayload,
    Payload,
    StreamReaderPayload,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    content_disposition_header,
    get_payload,
    payload_type,
)

__all__ = (
    "PAYLOAD_REGISTRY",
    "get_payload",
    "payload_type",
    "Payload",
    "BytesPayload",
    "StringPayload",
    "IOBasePayload",
    "BytesIOPayload",
    "BufferedReaderPayload",
    "TextIOPayload",
    "StringIOPayload",
    "JsonPayload",
    "AsyncIterablePayload",
    "StreamReaderPayload",
    "content_disposition_header",
)
