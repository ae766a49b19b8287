"""cyhttp's sans-IO engine: bytes in, values and events out.  Never imports asyncio."""

from ._accel import USE_EXTENSIONS

__all__ = ("USE_EXTENSIONS",)
