"""``FormData``: fields that become a urlencoded body, or multipart/form-data when
any field is a file, has a filename or an explicit content type."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

from multidict import MultiDict, MultiDictProxy

from .. import hdrs
from .multipart_writer import MultipartWriter
from .payload import BytesPayload, Payload, get_payload

__all__ = ("FormData",)


def _safe_header(value: str) -> None:
    """A field's name, file name or content type goes into a part's head: no CR, LF or NUL."""
    if "\r" in value or "\n" in value or "\x00" in value:
        raise ValueError(f"Newline, carriage return or NUL in {value!r}")


class FormData:
    """Helper for ``data=``: ``add_field`` then pass the FormData (or call it)."""

    def __init__(self, fields: Iterable[Any] = (), quote_fields: bool = True, charset: str | None = None,
                 *, default_to_multipart: bool = False) -> None:
        self._writer = MultipartWriter("form-data")
        self._fields: list[tuple[MultiDict[str], dict[str, str], Any]] = []
        self._is_multipart = default_to_multipart
        self._quote_fields = quote_fields
        self._charset = charset
        if isinstance(fields, Mapping):
            fields = list(fields.items())
        elif not isinstance(fields, (list, tuple)):
            fields = (fields,)
        self.add_fields(*fields)

    @property
    def is_multipart(self) -> bool:
        return self._is_multipart

    def add_field(self, name: str, value: Any, *, content_type: str | None = None,
                  filename: str | None = None, content_transfer_encoding: str | None = None) -> None:
        if isinstance(value, io.IOBase):
            self._is_multipart = True
        elif isinstance(value, (bytes, bytearray, memoryview)):
            if filename is None and content_transfer_encoding is None:
                filename = name
        _safe_header(name)
        type_options: MultiDict[str] = MultiDict({"name": name})
        if filename is not None and not isinstance(filename, str):
            raise TypeError(f"filename must be an instance of str. Got: {filename}")
        if filename is None and isinstance(value, io.IOBase):
            name_attr = getattr(value, "name", None)
            # Only the base name: the local directory layout is nobody's business.
            filename = os.path.basename(name_attr) if isinstance(name_attr, str) else name
        if filename is not None:
            _safe_header(filename)
            type_options["filename"] = filename
            self._is_multipart = True
        headers: dict[str, str] = {}
        if content_type is not None:
            if not isinstance(content_type, str):
                raise TypeError(f"content_type must be an instance of str. Got: {content_type}")
            _safe_header(content_type)
            headers[hdrs.CONTENT_TYPE] = content_type
            self._is_multipart = True
        if content_transfer_encoding is not None:
            if not isinstance(content_transfer_encoding, str):
                raise TypeError("content_transfer_encoding must be an instance of str")
            headers[hdrs.CONTENT_TRANSFER_ENCODING] = content_transfer_encoding
            self._is_multipart = True
        self._fields.append((type_options, headers, value))

    def add_fields(self, *fields: Any) -> None:
        pending = list(fields)
        while pending:
            item = pending.pop(0)
            if isinstance(item, io.IOBase):
                name = getattr(item, "name", None) or "unknown"
                self.add_field(str(name), item)
            elif isinstance(item, (MultiDictProxy, MultiDict)):
                pending.extend(item.items())
            elif isinstance(item, Mapping):
                pending.extend(item.items())
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                self.add_field(item[0], item[1])
            else:
                raise TypeError(
                    "Only io.IOBase, multidict and (name, file) pairs allowed, use .add_field() for passing "
                    "more complex parameters, got {!r}".format(item)
                )

    def _gen_form_urlencoded(self) -> BytesPayload:
        data = [(opts["name"], value) for opts, _, value in self._fields]
        charset = self._charset if self._charset is not None else "utf-8"
        content_type = "application/x-www-form-urlencoded"
        if charset != "utf-8":
            content_type += f"; charset={charset}"
        return BytesPayload(urlencode(data, doseq=True, encoding=charset).encode(), content_type=content_type)

    def _gen_form_data(self) -> MultipartWriter:
        writer = MultipartWriter("form-data")
        for opts, headers, value in self._fields:
            try:
                part = get_payload(value, headers=headers or None, encoding=self._charset,
                                   filename=opts.get("filename"))
            except Exception as exc:
                raise TypeError(
                    f"Can not serialize value type: {type(value)!r}\n headers: {headers!r}\n value: {value!r}"
                ) from exc
            if not headers:
                # A plain field carries no Content-Type unless given (RFC 7578 §4.4).
                if isinstance(value, (str, bytes, bytearray, memoryview)) and "filename" not in opts:
                    part.headers.popall(hdrs.CONTENT_TYPE, None)
            part.set_content_disposition("form-data", quote_fields=self._quote_fields,
                                         _charset=self._charset or "utf-8", **dict(opts.items()))
            writer.append_payload(part)
        return writer

    def __call__(self) -> Payload:
        if self._is_multipart:
            return self._gen_form_data()
        return self._gen_form_urlencoded()
