"""The header-valued properties of a response: cookies, content type / length / charset,
Last-Modified and ETag, read and written through ``_headers``.

How this works: a mixin of StreamResponse (which owns ``_headers`` and ``_cookies``);
Content-Type is kept as its media type plus a parameter dict (HeadersMixin's parse) and
rewritten whole on every change; cookies live in a SimpleCookie until prepare turns them
into Set-Cookie fields.
"""

from __future__ import annotations

import datetime
import math
import time
from http.cookies import SimpleCookie

from multidict import CIMultiDict, istr

from .. import hdrs
from .helpers import ETAG_ANY, QUOTED_ETAG_RE, ETag, HeadersMixin, parse_http_date, validate_etag_value

__all__ = ("ResponseHeadersMixin",)

_EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"


class ResponseHeadersMixin(HeadersMixin):
    """Cookies and header properties (needs ``_headers``, ``_cookies`` and ``_chunked``)."""

    _headers: CIMultiDict[str]  # pyright: ignore[reportIncompatibleVariableOverride]  # mutable here; the mixin only reads
    _cookies: SimpleCookie | None = None
    _chunked: bool

    @property
    def cookies(self) -> SimpleCookie:
        if self._cookies is None:
            self._cookies = SimpleCookie()
        return self._cookies

    def set_cookie(self, name: str, value: str, *, expires: str | None = None,
                   domain: str | None = None, max_age: int | str | None = None,
                   path: str = "/", secure: bool | None = None, httponly: bool | None = None,
                   version: str | None = None, samesite: str | None = None,
                   partitioned: bool | None = None) -> None:
        """Set or update a cookie; only the attributes given (not None) change."""
        if self._cookies is None:
            self._cookies = SimpleCookie()
        self._cookies[name] = value
        c = self._cookies[name]
        if expires is not None:
            c["expires"] = expires
        elif c.get("expires") == _EPOCH:
            del c["expires"]
        if domain is not None:
            c["domain"] = domain
        if max_age is not None:
            c["max-age"] = str(max_age)
        elif "max-age" in c:
            del c["max-age"]
        c["path"] = path
        if secure is not None:
            c["secure"] = secure
        if httponly is not None:
            c["httponly"] = httponly
        if version is not None:
            c["version"] = version
        if samesite is not None:
            c["samesite"] = samesite
        if partitioned is not None:
            c["partitioned"] = partitioned

    def del_cookie(self, name: str, *, domain: str | None = None, path: str = "/",
                   secure: bool | None = None, httponly: bool | None = None,
                   samesite: str | None = None) -> None:
        """Replace the cookie by an expired empty one."""
        if self._cookies is not None:
            self._cookies.pop(name, None)
        self.set_cookie(name, "", max_age=0, expires=_EPOCH, domain=domain, path=path,
                        secure=secure, httponly=httponly, samesite=samesite)

    @property
    def content_length(self) -> int | None:
        return super().content_length

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is not None:
            value = int(value)
            if self._chunked:
                raise RuntimeError("You can't set content length when chunked encoding is enable")
            self._headers[hdrs.CONTENT_LENGTH] = str(value)
        else:
            self._headers.pop(hdrs.CONTENT_LENGTH, None)

    @property
    def content_type(self) -> str:
        return super().content_type

    @content_type.setter
    def content_type(self, value: str) -> None:
        self.content_type  # parse the current header first
        self._content_type = str(value)
        self._generate_content_type_header()

    @property
    def charset(self) -> str | None:
        return super().charset

    @charset.setter
    def charset(self, value: str | None) -> None:
        ctype = self.content_type
        if ctype == "application/octet-stream":
            raise RuntimeError("Setting charset for application/octet-stream "
                               "doesn't make sense, setup content_type first")
        assert self._content_dict is not None
        if value is None:
            self._content_dict.pop("charset", None)
        else:
            self._content_dict["charset"] = str(value).lower()
        self._generate_content_type_header()

    @property
    def last_modified(self) -> datetime.datetime | None:
        """The Last-Modified header as a datetime, or None."""
        return parse_http_date(self._headers.get(hdrs.LAST_MODIFIED))

    @last_modified.setter
    def last_modified(self, value: int | float | datetime.datetime | str | None) -> None:
        if value is None:
            self._headers.pop(hdrs.LAST_MODIFIED, None)
        elif isinstance(value, (int, float)):
            self._headers[hdrs.LAST_MODIFIED] = time.strftime(
                "%a, %d %b %Y %H:%M:%S GMT", time.gmtime(math.ceil(value)))
        elif isinstance(value, datetime.datetime):
            if value.microsecond:
                value = value.replace(microsecond=0) + datetime.timedelta(seconds=1)
            self._headers[hdrs.LAST_MODIFIED] = time.strftime(
                "%a, %d %b %Y %H:%M:%S GMT", value.utctimetuple())
        elif isinstance(value, str):
            self._headers[hdrs.LAST_MODIFIED] = value
        else:
            raise TypeError(f"Unsupported type for last_modified: {type(value).__name__}")

    @property
    def etag(self) -> ETag | None:
        quoted = self._headers.get(hdrs.ETAG)
        if not quoted:
            return None
        if quoted == ETAG_ANY:
            return ETag(value=ETAG_ANY)
        match = QUOTED_ETAG_RE.fullmatch(quoted)
        if not match:
            return None
        is_weak, value = match.group(1, 2)
        return ETag(is_weak=bool(is_weak), value=value)

    @etag.setter
    def etag(self, value: ETag | str | None) -> None:
        if value is None:
            self._headers.pop(hdrs.ETAG, None)
        elif (isinstance(value, str) and value == ETAG_ANY) or (
                isinstance(value, ETag) and value.value == ETAG_ANY):
            self._headers[hdrs.ETAG] = ETAG_ANY
        elif isinstance(value, str):
            validate_etag_value(value)
            self._headers[hdrs.ETAG] = f'"{value}"'
        elif isinstance(value, ETag) and isinstance(value.value, str):
            validate_etag_value(value.value)
            self._headers[hdrs.ETAG] = f'W/"{value.value}"' if value.is_weak else f'"{value.value}"'
        else:
            raise ValueError(f"Unsupported etag type: {type(value)}. etag must be str, ETag or None")

    def _generate_content_type_header(self, CONTENT_TYPE: istr = hdrs.CONTENT_TYPE) -> None:
        assert self._content_dict is not None
        assert self._content_type is not None
        params = "; ".join(f"{k}={v}" for k, v in self._content_dict.items())
        self._headers[CONTENT_TYPE] = self._content_type + "; " + params if params else self._content_type
