"""Connectors: where ClientSession gets its connections from (aiohttp's ``connector`` path)."""

from aiohappyeyeballs import AddrInfoType, SocketFactoryType

from ._client.connector.connection import Connection
from ._client.connector.pool import BaseConnector
from ._client.connector.tcp import TCPConnector
from ._client.connector.unix import NamedPipeConnector, UnixConnector

__all__ = (
    "BaseConnector",
    "Connection",
    "TCPConnector",
    "UnixConnector",
    "NamedPipeConnector",
    "AddrInfoType",
    "SocketFactoryType",
)
