"""cyhttp: an asyncio HTTP/1.1 and WebSocket client with aiohttp's client API.

``import cyhttp as aiohttp`` keeps an aiohttp client program working; the hot
pieces run as compiled Cython modules, each with a pure-Python twin.
"""

from ._core._accel import USE_EXTENSIONS as EXTENSIONS

__version__ = "0.1.0.dev0"

__all__ = ("EXTENSIONS", "__version__")
