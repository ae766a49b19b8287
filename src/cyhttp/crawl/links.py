"""Links out of an HTML page, and which of them a crawl follows.

How this works: a regular expression finds ``href`` / ``src`` of ``<a>``, ``<area>``,
``<link rel=...>`` (not stylesheets or icons) and ``<frame>`` / ``<iframe>``, honouring a
``<base href>``; each is resolved against the page's URL, its fragment dropped, and
kept when it is http(s), on the same site as the start URL (when asked), matches an
``allow`` pattern (if any) and no ``deny`` pattern.  A regex rather than a DOM: a crawler
wants links fast, and malformed pages are the normal case.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence

from yarl import URL

__all__ = ("LinkFilter", "extract_links", "site_of")

_TAG = re.compile(
    rb"""<(a|area|frame|iframe|base)\b[^>]*?\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""",
    re.IGNORECASE,
)


def extract_links(body: bytes, base: URL, encoding: str = "utf-8") -> Iterator[URL]:
    """Absolute http(s) URLs linked from ``body`` (fragments dropped, in page order)."""
    for match in _TAG.finditer(body):
        raw = match.group(2) or match.group(3) or match.group(4) or b""
        text = html.unescape(raw.decode(encoding, "replace")).strip()
        if not text or text.startswith(("#", "javascript:", "mailto:", "data:", "tel:")):
            continue
        try:
            url = base.join(URL(text))
        except (ValueError, TypeError):
            continue
        if match.group(1).lower() == b"base":
            base = url
            continue
        if url.scheme in ("http", "https") and url.raw_host:
            yield url.with_fragment(None)


def site_of(url: URL) -> str:
    """The site a URL belongs to, for "same site": its host without a leading ``www.``."""
    host = (url.raw_host or "").lower()
    return host[4:] if host.startswith("www.") else host


class LinkFilter:
    """Which links a crawl follows: same site as some start URL, ``allow`` / ``deny`` regexes."""

    def __init__(self, sites: Iterable[str] = (), allow: Sequence[str] = (), deny: Sequence[str] = (),
                 same_site: bool = True) -> None:
        self.sites = set(sites)
        self.same_site = same_site
        self.allow = [re.compile(p) for p in allow]
        self.deny = [re.compile(p) for p in deny]

    def add_site(self, url: URL) -> None:
        self.sites.add(site_of(url))

    def __call__(self, url: URL) -> bool:
        if self.same_site and site_of(url) not in self.sites:
            return False
        text = str(url)
        if self.allow and not any(p.search(text) for p in self.allow):
            return False
        return not any(p.search(text) for p in self.deny)
