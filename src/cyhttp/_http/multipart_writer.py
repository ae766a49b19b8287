"""``MultipartWriter``: a multipart body made of Payload parts.

Wire form (RFC 2046 §5.1): for each part ``--boundary CRLF headers CRLF CRLF body
CRLF``, then ``--boundary-- CRLF``.  The size is known when every part's is, so
such bodies get a Content-Length instead of chunked framing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast
from urllib.parse import urlencode

from .. import hdrs
from .multipart_reader import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BodyPartReader,
    BodyPartReaderPayload,
    MultipartReader,
    MultipartResponseWrapper,
    content_disposition_filename,
    parse_content_disposition,
)
from .payload import BytesPayload, JsonPayload, Payload, get_payload

# The reader side lives in multipart_reader.py; its names are here too, as in aiohttp.multipart.
__all__ = (
    "MultipartWriter",
    "MultipartReader",
    "MultipartResponseWrapper",
    "BodyPartReader",
    "BodyPartReaderPayload",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "content_disposition_filename",
    "parse_content_disposition",
)

_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_QDTEXT_BAD = re.compile(r"[\x00-\x08\x0A-\x1F\x7F]")


class MultipartWriter(Payload):
    """A multipart body; iterate it for (payload, ...) parts, ``append`` to add."""

    _value: None

    def __init__(self, subtype: str = "mixed", boundary: str | None = None, close_boundary: bool = True) -> None:
        boundary = boundary if boundary is not None else uuid.uuid4().hex
        try:
            self._boundary = boundary.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError("boundary should contain ASCII only chars") from None
        if len(boundary) > 70:
            raise ValueError("boundary %r is too long (70 chars max)" % boundary)
        super().__init__(None, content_type=f"multipart/{subtype}; boundary={self._boundary_value}")
        self._parts: list[Payload] = []
        self._close_boundary = close_boundary
        self._is_form_data = subtype == "form-data"

    @property
    def _boundary_value(self) -> str:
        """The boundary as a header parameter: a token, or a quoted string."""
        value = self._boundary.decode("ascii")
        if _TOKEN.match(value):
            return value
        if _QDTEXT_BAD.search(value):
            raise ValueError("boundary value contains invalid characters")
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    @property
    def boundary(self) -> str:
        return self._boundary.decode("ascii")

    def __enter__(self) -> MultipartWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        pass

    def __iter__(self) -> Iterator[Payload]:
        return iter(self._parts)

    def __len__(self) -> int:
        return len(self._parts)

    def __bool__(self) -> bool:
        return True

    def append(self, obj: Any, headers: Mapping[str, str] | None = None) -> Payload:
        if isinstance(obj, Payload):
            if headers:
                obj.headers.update(headers)
            return self.append_payload(obj)
        return self.append_payload(get_payload(obj, headers=headers))

    def append_payload(self, payload: Payload) -> Payload:
        encoding = payload.headers.get(hdrs.CONTENT_ENCODING, "").lower()
        if encoding and encoding not in ("deflate", "gzip", "identity"):
            raise RuntimeError(f"unknown content encoding: {encoding}")
        te = payload.headers.get(hdrs.CONTENT_TRANSFER_ENCODING, "").lower()
        if te and te not in ("base64", "quoted-printable", "binary"):
            raise RuntimeError(f"unknown content transfer encoding: {te}")
        self._parts.append(payload)
        return payload

    def append_json(self, obj: Any, headers: Mapping[str, str] | None = None) -> Payload:
        return self.append_payload(JsonPayload(obj, headers=headers))

    def append_form(self, obj: Mapping[str, str] | Iterable[tuple[str, str]],
                    headers: Mapping[str, str] | None = None) -> Payload:
        # (cast: checkers also imagine an object that is both a Mapping and pairs)
        items = list(cast("Mapping[str, str]", obj).items() if isinstance(obj, Mapping) else obj)
        data = urlencode(items, doseq=True).encode()
        return self.append_payload(
            BytesPayload(data, headers=headers, content_type="application/x-www-form-urlencoded")
        )

    def _part_head(self, part: Payload) -> bytes:
        lines = [b"--" + self._boundary]
        for name, value in part.headers.items():
            # form-data parts carry no Content-Type for plain fields (RFC 7578 §4.4 default).
            lines.append(f"{name}: {value}".encode("utf-8"))
        return b"\r\n".join(lines) + b"\r\n\r\n"

    @property
    def size(self) -> int | None:
        total = 0
        for part in self._parts:
            if part.size is None:
                return None
            total += len(self._part_head(part)) + part.size + 2
        if self._close_boundary:
            total += len(self._boundary) + 6
        return total

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        out = []
        for part in self._parts:
            out.append(self._part_head(part).decode(encoding, errors))
            out.append(part.decode(encoding, errors) + "\r\n")
        if self._close_boundary:
            out.append(f"--{self.boundary}--\r\n")
        return "".join(out)

    async def write(self, writer: Any, close_boundary: bool = True) -> None:
        for part in self._parts:
            await writer.write(self._part_head(part))
            await part.write(writer)
            await writer.write(b"\r\n")
        if close_boundary and self._close_boundary:
            await writer.write(b"--" + self._boundary + b"--\r\n")
        self._consumed = True

    async def close(self) -> None:
        for part in self._parts:
            await part.close()
        self._consumed = True
