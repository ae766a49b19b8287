"""Transitional home of ``AbstractResolver`` / ``ResolveResult`` until ``abc.py`` (L2) lands."""

from __future__ import annotations

import socket
from abc import ABC, abstractmethod
from typing import TypedDict


class ResolveResult(TypedDict):
    """One resolved address: ``hostname`` asked for, numeric ``host`` and ``port``, etc."""

    hostname: str
    host: str
    port: int
    family: int
    proto: int
    flags: int


class AbstractResolver(ABC):
    """A DNS resolver: ``resolve()`` returns numeric addresses, ``close()`` frees resources."""

    @abstractmethod
    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Return the addresses of ``host``."""

    @abstractmethod
    async def close(self) -> None:
        """Release the resolver."""
