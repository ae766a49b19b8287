"""Cookie storage per RFC 6265 (``CookieJar``) and a jar that keeps nothing.

How this works: cookies live in ``SimpleCookie`` buckets keyed by (domain,
path without its trailing '/'); the bucket ("", "") holds "shared" cookies set
without a response URL, sent everywhere. Host-only cookies are remembered by
(domain, path, name). Expiry deadlines sit in a dict plus a heap, purged
lazily when cookies are read. A counter makes ``len()`` O(1), so the request
path skips an empty jar for free. To send, ``filter_cookies`` visits only the
(domain, path) buckets the request URL can match: its host and parent
domains, times its path prefixes.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import os
import pathlib
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from http.cookies import BaseCookie, Morsel, SimpleCookie
from types import MappingProxyType
from typing import Any, Union, cast

from yarl import URL

from .._http.cookie_parse import (
    is_sendable,
    make_morsel,
    parse_cookie_date,
    parse_set_cookie_headers,
)
from .._http.helpers import is_ip_address
from ..abc import AbstractCookieJar, ClearCookiePredicate, LooseCookies, LooseCookiesMappings

__all__ = ("CookieJar", "DummyCookieJar")

_CookieKey = tuple[str, str, str]  # (domain, path, name)
StrOrURL = Union[str, URL]

MAX_PER_DOMAIN = 180  # like Firefox; the least recently set is evicted first
MAX_TOTAL = 3300  # aiohttp 3.14's total
_MAX_TIME = 253402300799.0  # 9999-12-31T23:59:59Z: far enough, still representable
_SIMPLE = SimpleCookie()


def _origins(value: StrOrURL | Iterable[StrOrURL] | None) -> frozenset[URL]:
    if value is None:
        return frozenset()
    if isinstance(value, (str, URL)):
        value = [value]
    return frozenset(URL(v).origin() if isinstance(v, str) else v.origin() for v in value)


def _domain_match(domain: str, hostname: str) -> bool:
    """RFC 6265 5.1.3: hostname equals domain or is a (non-IP) subdomain of it."""
    if hostname == domain:
        return True
    return hostname.endswith("." + domain) and not is_ip_address(hostname)


def _default_path(url: URL) -> str:
    path = url.path
    if not path.startswith("/") or path.count("/") == 1:
        return "/"
    return path[: path.rfind("/")]


class CookieJar(AbstractCookieJar):
    """Implements cookie storage adhering to RFC 6265."""

    def __init__(
        self,
        *,
        unsafe: bool = False,
        quote_cookie: bool = True,
        treat_as_secure_origin: StrOrURL | Iterable[StrOrURL] | None = None,
        loop: Any = None,
    ) -> None:
        super().__init__(loop=loop)
        self._unsafe = unsafe
        self._quote_cookie = quote_cookie
        self._secure_origins = _origins(treat_as_secure_origin)
        self._cookies: dict[tuple[str, str], SimpleCookie] = {}
        self._host_only: set[_CookieKey] = set()
        self._expirations: dict[_CookieKey, float] = {}
        self._expire_heap: list[tuple[float, _CookieKey]] = []
        self._order: dict[_CookieKey, None] = {}  # least recently set first
        self._domain_counts: dict[str, int] = {}
        self._to_send_cache: dict[_CookieKey, Morsel[str]] = {}  # morsels as sent

    # --- read-only views -----------------------------------------------------

    @property
    def unsafe(self) -> bool:
        return self._unsafe

    @property
    def quote_cookie(self) -> bool:
        return self._quote_cookie

    @property
    def treat_as_secure_origin(self) -> frozenset[URL]:
        return self._secure_origins

    @property
    def cookies(self) -> MappingProxyType[tuple[str, str], SimpleCookie]:
        return MappingProxyType(self._cookies)

    @property
    def host_only_cookies(self) -> frozenset[tuple[str, str, str]]:
        return frozenset(self._host_only)

    def __len__(self) -> int:
        return len(self._order)

    def __iter__(self) -> Iterator[Morsel[str]]:
        self._expire()
        for bucket in list(self._cookies.values()):
            yield from bucket.values()

    # --- removing ---------------------------------------------------------------

    def _delete(self, keys: Iterable[_CookieKey]) -> None:
        for key in keys:
            domain, path, name = key
            bucket = self._cookies.get((domain, path))
            if bucket is None or dict.pop(bucket, name, None) is None:
                continue
            if not bucket:
                del self._cookies[(domain, path)]
            self._host_only.discard(key)
            self._expirations.pop(key, None)
            self._to_send_cache.pop(key, None)
            del self._order[key]
            left = self._domain_counts[domain] - 1
            if left:
                self._domain_counts[domain] = left
            else:
                del self._domain_counts[domain]

    def _expire(self) -> None:
        heap = self._expire_heap
        if not heap:
            return
        now = time.time()
        expired = []
        while heap and heap[0][0] <= now:
            when, key = heapq.heappop(heap)
            if self._expirations.get(key) == when:  # else: stale heap entry
                expired.append(key)
        self._delete(expired)
        if len(heap) > 64 and len(heap) > 2 * len(self._expirations):
            self._expire_heap = [(w, k) for k, w in self._expirations.items()]
            heapq.heapify(self._expire_heap)

    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        if predicate is None:
            self._cookies.clear()
            self._host_only.clear()
            self._expirations.clear()
            self._expire_heap.clear()
            self._order.clear()
            self._domain_counts.clear()
            self._to_send_cache.clear()
            return
        self._expire()
        self._delete([
            (domain, path, name)
            for (domain, path), bucket in self._cookies.items()
            for name, morsel in bucket.items()
            if predicate(morsel)
        ])

    def clear_domain(self, domain: str) -> None:
        self.clear(lambda morsel: _domain_match(domain, morsel["domain"]))

    # --- storing ------------------------------------------------------------------

    def update_cookies(self, cookies: LooseCookies, response_url: URL = URL()) -> None:
        hostname = response_url.raw_host
        if not self._unsafe and is_ip_address(hostname):
            return  # no cookies from IP hosts unless unsafe=True
        # (casts: checkers also imagine objects that are both a Mapping and pairs, or both
        # a BaseCookie and a Morsel)
        items = (
            cast("LooseCookiesMappings", cookies).items() if isinstance(cookies, Mapping) else cookies
        )
        for name, cookie in items:
            if isinstance(cookie, Morsel):
                morsel = cast("Morsel[str]", cookie.copy())
            else:
                value = str(cookie)
                if not is_sendable(name, value):
                    continue
                encoded = _SIMPLE.value_encode(value)[1] if self._quote_cookie else value
                morsel = make_morsel(name, value, encoded)
            if is_sendable(morsel.key, morsel.value) and is_sendable(
                morsel.key, morsel.coded_value
            ):
                self._store(morsel, response_url, hostname)
        self._expire()

    def update_cookies_from_headers(
        self, headers: Sequence[str], response_url: URL
    ) -> None:
        if not headers or (not self._unsafe and is_ip_address(response_url.raw_host)):
            return
        self._update_parsed(parse_set_cookie_headers(headers), response_url)

    def _update_parsed(
        self, parsed: list[tuple[str, Morsel[str]]], response_url: URL
    ) -> None:
        hostname = response_url.raw_host
        for _, morsel in parsed:  # fresh morsels: stored without a copy
            self._store(morsel, response_url, hostname)
        self._expire()

    def _store(
        self,
        morsel: Morsel[str],
        response_url: URL,
        hostname: str | None,
        deadline: float | None = None,
    ) -> None:
        name = morsel.key
        domain = morsel["domain"].lower()
        if domain.endswith("."):
            domain = ""  # a trailing dot is ignored, like aiohttp and browsers
        domain = domain.lstrip(".")
        host_only = not domain
        if domain and hostname:
            if not _domain_match(domain, hostname):
                return  # a cookie for another domain
            if "." not in domain and domain != hostname:
                return  # public-suffix-style: Domain=com would reach every .com site
        if host_only:
            domain = hostname or ""
        morsel["domain"] = domain

        path = morsel["path"]
        if not path or path[0] != "/":
            path = _default_path(response_url)
            morsel["path"] = path
        path = path.rstrip("/")

        if deadline is None:
            deadline = self._deadline(morsel)
        key = (domain, path, name)
        if deadline is not None and deadline <= time.time():
            self._delete([key])  # an expired cookie deletes the stored one
            return

        bucket = self._cookies.get((domain, path))
        if bucket is None:
            bucket = self._cookies[(domain, path)] = SimpleCookie()
        if name not in bucket:
            self._make_room(domain)
            self._domain_counts[domain] = self._domain_counts.get(domain, 0) + 1
            bucket = self._cookies.setdefault((domain, path), bucket)
        else:
            del self._order[key]
        dict.__setitem__(bucket, name, morsel)
        self._to_send_cache.pop(key, None)
        self._order[key] = None
        if host_only and hostname is not None:
            self._host_only.add(key)
        else:
            self._host_only.discard(key)
        if deadline is not None:
            self._expirations[key] = deadline
            heapq.heappush(self._expire_heap, (deadline, key))
        else:
            self._expirations.pop(key, None)  # a replacement doesn't inherit expiry

    @staticmethod
    def _deadline(morsel: Morsel[str]) -> float | None:
        """Max-Age beats Expires (RFC 6265 5.3 step 3); invalid values are ignored."""
        max_age = morsel["max-age"]
        if max_age:
            text = str(max_age).strip()
            digits = text[1:] if text[:1] == "-" else text
            if digits.isdigit() and digits.isascii():
                seconds = int(text)
                if seconds <= 0:
                    return 0.0
                return min(time.time() + min(seconds, _MAX_TIME), _MAX_TIME)
            morsel["max-age"] = ""
        expires = morsel["expires"]
        if expires:
            when = parse_cookie_date(str(expires))
            if when is not None:
                return min(when, _MAX_TIME)
            morsel["expires"] = ""
        return None

    def _make_room(self, domain: str) -> None:
        if self._domain_counts.get(domain, 0) >= MAX_PER_DOMAIN:
            self._expire()
            if self._domain_counts.get(domain, 0) >= MAX_PER_DOMAIN:
                oldest = next(k for k in self._order if k[0] == domain)
                self._delete([oldest])
        if len(self._order) >= MAX_TOTAL:
            self._expire()
            if len(self._order) >= MAX_TOTAL:
                self._delete([next(iter(self._order))])

    # --- sending ---------------------------------------------------------------------

    def filter_cookies(self, request_url: URL = URL()) -> BaseCookie[str]:
        """The cookies to send to ``request_url``; most specific wins per name."""
        filtered: BaseCookie[str] = BaseCookie()
        if not self._cookies:
            return filtered
        self._expire()
        if not self._cookies:
            return filtered
        if not isinstance(request_url, URL):
            request_url = URL(request_url)
        hostname = request_url.raw_host or ""
        secure = request_url.scheme in ("https", "wss")
        if not secure and self._secure_origins:
            try:
                secure = request_url.origin() in self._secure_origins
            except ValueError:
                pass

        if not hostname:
            domains: Iterable[str] = ()
        elif is_ip_address(hostname):
            domains = (hostname,) if self._unsafe else ()
        else:
            labels = hostname.split(".")
            domains = [".".join(labels[i:]) for i in range(len(labels) - 1, -1, -1)]
        req_path = request_url.path or "/"  # filter_cookies() with no URL: the shared cookies
        paths = list(itertools.accumulate(req_path.split("/"), "{}/{}".format))
        selected: dict[str, tuple[_CookieKey, Morsel[str]]] = {}
        host_only = self._host_only
        pairs = itertools.chain(
            [("", "")], itertools.product(domains, paths)
        )
        for jar_key in pairs:
            bucket = self._cookies.get(jar_key)
            if bucket is None:
                continue
            domain, path = jar_key
            for name, morsel in bucket.items():
                key = (domain, path, name)
                if domain and domain != hostname and key in host_only:
                    continue
                if len(morsel["path"]) > len(req_path):
                    continue  # "/a/" does not match a request for "/a"
                if morsel["secure"] and not secure:
                    continue
                selected.pop(name, None)
                selected[name] = (key, morsel)
        cache = self._to_send_cache
        for name, (key, morsel) in selected.items():
            out = cache.get(key)
            if out is None:
                out = cache[key] = self._to_send(morsel)
            dict.__setitem__(filtered, name, out)
        return filtered

    def _to_send(self, morsel: Morsel[str]) -> Morsel[str]:
        if not self._quote_cookie:
            return make_morsel(morsel.key, morsel.value, morsel.value)
        coded = morsel.coded_value
        if coded and coded[0] == '"':
            return make_morsel(morsel.key, morsel.value, coded)  # server quoted it
        return make_morsel(morsel.key, morsel.value, _SIMPLE.value_encode(morsel.value)[1])

    # --- persistence -------------------------------------------------------------------

    def save(self, file_path: str | os.PathLike[str]) -> None:
        """Write the jar as JSON, readable by the owner only (mode 0600)."""
        self._expire()
        data: dict[str, dict[str, dict[str, Any]]] = {}
        for (domain, path), bucket in self._cookies.items():
            entry = data.setdefault(f"{domain}|{path}", {})
            for name, morsel in bucket.items():
                record: dict[str, Any] = {
                    "key": morsel.key, "value": morsel.value, "coded_value": morsel.coded_value
                }
                for attr in morsel.keys():
                    if attr not in ("max-age", "expires") and morsel[attr]:
                        record[attr] = morsel[attr]
                key = (domain, path, name)
                if key in self._host_only:
                    record["host_only"] = True
                if key in self._expirations:
                    record["expires_timestamp"] = self._expirations[key]
                entry[name] = record
        path_obj = pathlib.Path(file_path)
        fd = os.open(path_obj, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # also for a file that existed with wider rights
        with open(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)

    def load(self, file_path: str | os.PathLike[str]) -> None:
        """Replace the jar's contents with a file written by ``save()``.

        A malformed file raises ValueError and leaves the jar unchanged.
        """
        with pathlib.Path(file_path).open(encoding="utf-8") as f:
            data = json.load(f)
        fresh = CookieJar(unsafe=self._unsafe, quote_cookie=self._quote_cookie,
                          treat_as_secure_origin=self._secure_origins)
        try:
            for jar_key, bucket in data.items():
                domain, _, _path = jar_key.partition("|")
                for name, rec in bucket.items():
                    morsel = make_morsel(str(rec["key"]), str(rec["value"]),
                                         str(rec["coded_value"]))
                    if morsel.key != name or not is_sendable(morsel.key, morsel.value):
                        raise ValueError(f"bad cookie record {name!r}")
                    for attr in morsel.keys():
                        if attr in rec and attr not in ("max-age", "expires"):
                            morsel[attr] = rec[attr]
                    if rec.get("host_only"):
                        morsel["domain"] = ""
                    deadline = rec.get("expires_timestamp")
                    if deadline is not None:
                        deadline = float(deadline)
                        if not math.isfinite(deadline):
                            raise ValueError("expiration must be a finite number")
                    url = URL.build(scheme="https", host=domain) if domain else URL()
                    fresh._store(morsel, url, url.raw_host, deadline)
        except (AttributeError, KeyError, TypeError) as exc:
            raise ValueError(f"malformed cookie file: {exc!r}") from exc
        self.clear()
        for attr in ("_cookies", "_host_only", "_expirations", "_expire_heap", "_order",
                     "_domain_counts", "_to_send_cache"):
            setattr(self, attr, getattr(fresh, attr))


class DummyCookieJar(AbstractCookieJar):
    """A jar that stores nothing: ``ClientSession(cookie_jar=DummyCookieJar())``."""

    def __init__(self, *, loop: Any = None) -> None:
        super().__init__(loop=loop)

    def __iter__(self) -> Iterator[Morsel[str]]:
        return iter(())

    def __len__(self) -> int:
        return 0

    @property
    def unsafe(self) -> bool:
        return False

    @property
    def quote_cookie(self) -> bool:
        return True

    @property
    def cookies(self) -> MappingProxyType[tuple[str, str], SimpleCookie]:
        return MappingProxyType({})

    @property
    def host_only_cookies(self) -> frozenset[tuple[str, str, str]]:
        return frozenset()

    def clear(self, predicate: ClearCookiePredicate | None = None) -> None:
        pass

    def clear_domain(self, domain: str) -> None:
        pass

    def update_cookies(self, cookies: LooseCookies, response_url: URL = URL()) -> None:
        pass

    def update_cookies_from_headers(
        self, headers: Sequence[str], response_url: URL
    ) -> None:
        pass

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        return BaseCookie()
