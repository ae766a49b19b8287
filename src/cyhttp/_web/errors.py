"""The server's own exceptions besides the HTTP statuses (aiohttp.web_protocol's names)."""

from __future__ import annotations

__all__ = ("RequestPayloadError", "PayloadAccessError")


class RequestPayloadError(Exception):
    """The request body is malformed, could not be decoded, or ended early."""


class PayloadAccessError(Exception):
    """The request body was read after the response was sent."""
