"""cyhttp's crawler toolkit, built on the public client API and its middlewares.

Retries (``RetryMiddleware``, ``ExponentialBackoff``), per-host politeness
(``PolitenessMiddleware``, ``HostPolicy``), robots.txt (``RobotsMiddleware``,
``RobotsDisallowed``), per-host statistics (``HostStats``), a charset fallback
(``charset_resolver``), SOCKS proxies (``SocksConnector``, extra ``cyhttp[socks]``) and
the crawler behind ``python -m cyhttp crawl`` (``Crawler``, ``CrawlConfig``).  Each
name loads its module on first use, so ``import cyhttp`` stays light and an optional
dependency is needed only by what uses it.  See docs/crawl.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .charset import charset_resolver, sniff_charset
    from .crawler import CrawlConfig, Crawler
    from .frontier import Frontier, Item, MemoryFrontier
    from .links import LinkFilter, extract_links
    from .politeness import HostPolicy, PolitenessMiddleware, host_key
    from .retry import ExponentialBackoff, RetryMiddleware, parse_retry_after
    from .robots import RobotsDisallowed, RobotsMiddleware
    from .redis_frontier import RedisFrontier, SharedPoliteness
    from .socks import SocksAuthError, SocksConnector, SocksConnectRefused, SocksError
    from .stats import HostCounters, HostStats

_LAZY: dict[str, str] = {
    "charset_resolver": "charset",
    "sniff_charset": "charset",
    "HostPolicy": "politeness",
    "PolitenessMiddleware": "politeness",
    "host_key": "politeness",
    "ExponentialBackoff": "retry",
    "RetryMiddleware": "retry",
    "parse_retry_after": "retry",
    "RobotsDisallowed": "robots",
    "RobotsMiddleware": "robots",
    "HostCounters": "stats",
    "HostStats": "stats",
    "CrawlConfig": "crawler",
    "Crawler": "crawler",
    "Frontier": "frontier",
    "Item": "frontier",
    "MemoryFrontier": "frontier",
    "LinkFilter": "links",
    "extract_links": "links",
    "RedisFrontier": "redis_frontier",
    "SharedPoliteness": "redis_frontier",
    "SocksAuthError": "socks",
    "SocksConnectRefused": "socks",
    "SocksConnector": "socks",
    "SocksError": "socks",
}

if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module_name = _LAZY.get(name)
        if module_name is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
        globals()[name] = value
        return value


__all__ = (
    "CrawlConfig",
    "Crawler",
    "ExponentialBackoff",
    "Frontier",
    "Item",
    "LinkFilter",
    "MemoryFrontier",
    "RedisFrontier",
    "SharedPoliteness",
    "SocksAuthError",
    "SocksConnectRefused",
    "SocksConnector",
    "SocksError",
    "extract_links",
    "HostCounters",
    "HostPolicy",
    "HostStats",
    "PolitenessMiddleware",
    "RetryMiddleware",
    "RobotsDisallowed",
    "RobotsMiddleware",
    "charset_resolver",
    "host_key",
    "parse_retry_after",
    "sniff_charset",
)
