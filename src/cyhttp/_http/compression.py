"""Content-Encoding decoders (gzip, deflate, br, zstd) and request-body encoders.

Every decoder hands out at most ``max_step`` bytes per call, so a compression
bomb is decoded in bounded pieces and never held whole.

How this works: ``decoder_for(encoding)`` picks a decoder class from a table.
The caller feeds compressed bytes with ``decompress(data)`` and gets back one
bounded piece of output; while ``needs_input`` is False, more output is
waiting and the caller calls ``decompress(b"")`` again (extra input given
meanwhile is queued, not lost).  When the body ends the caller calls
``flush()``, which raises ``DecompressionError`` if the compressed stream is
truncated.  gzip members and zstd frames may be concatenated (bounded count).
"""

from __future__ import annotations

import importlib
import sys
import zlib
from collections.abc import Callable
from typing import Any, ClassVar, Protocol

__all__ = (
    "ACCEPT_ENCODING",
    "HAS_BROTLI",
    "HAS_ZSTD",
    "MAX_MEMBERS",
    "MAX_STEP",
    "DecompressionError",
    "Decoder",
    "Encoder",
    "decoder_for",
    "encoder_for",
)


class _BrotliStream(Protocol):
    """What BrotliDecoder uses of a ``Decompressor`` of Brotli or brotlicffi (untyped)."""

    def process(self, data: bytes, output_buffer_limit: int) -> bytes: ...

    def is_finished(self) -> bool: ...

    def can_accept_more_data(self) -> bool: ...


def _find_brotli() -> Callable[[], _BrotliStream] | None:
    for name in ("brotli", "brotlicffi"):
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - depends on the installation
            continue
        factory: Callable[[], _BrotliStream] = module.Decompressor
        return factory
    return None  # pragma: no cover - depends on the installation


_BrotliDecompressor = _find_brotli()
HAS_BROTLI = _BrotliDecompressor is not None

# zstd needs a decompressor with an output bound (``max_length``): the standard
# library's (3.14+) or its backport. The ``zstandard`` package has no output
# bound in its streaming API, so it cannot decode a bomb in bounded steps.
_ZstdDecompressor: Any
_ZstdError: Any
try:
    if sys.version_info >= (3, 14):
        from compression.zstd import ZstdDecompressor as _ZstdDecompressor
        from compression.zstd import ZstdError as _ZstdError
    else:
        from backports.zstd import ZstdDecompressor as _ZstdDecompressor
        from backports.zstd import ZstdError as _ZstdError
except ImportError:  # pragma: no cover - depends on the installation
    _ZstdDecompressor = _ZstdError = None
HAS_ZSTD = _ZstdDecompressor is not None

MAX_STEP = 256 * 1024  # most output bytes one decompress() call returns
MAX_MEMBERS = 1024  # concatenated gzip members / zstd frames allowed per body

# aiohttp 3.14's default Accept-Encoding: only what can actually be decoded.
ACCEPT_ENCODING = ", ".join(
    ["gzip", "deflate"] + (["br"] if HAS_BROTLI else []) + (["zstd"] if HAS_ZSTD else [])
)


class DecompressionError(ValueError):
    """Compressed body is corrupt, truncated, or its coding is unavailable."""


class Decoder:
    """Base of the incremental decoders; see the module docstring for the protocol."""

    encoding: ClassVar[str] = ""
    __slots__ = ("max_step", "_tail", "_rest", "_more", "_started", "_members")

    def __init__(self, max_step: int = MAX_STEP) -> None:
        if max_step <= 0:
            raise ValueError("max_step must be positive")
        self.max_step = max_step
        self._tail = b""  # input not yet given to the backend
        self._rest = b""  # output the backend gave beyond max_step
        self._more = False  # backend may still hold output
        self._started = False  # any compressed byte seen
        self._members = 1

    @property
    def needs_input(self) -> bool:
        """False while output is pending: call ``decompress(b"")`` again."""
        return not (self._more or self._rest or self._tail)

    @property
    def eof(self) -> bool:
        """The compressed stream (last member) is complete and fully read out."""
        return self._stream_done() and self.needs_input

    def decompress(self, data: bytes) -> bytes:
        """Feed ``data``; return at most ``max_step`` decoded bytes."""
        if self._rest:
            # Drain the overshoot first; keep new input for later.
            if data:
                self._tail += data
            out, self._rest = self._rest[: self.max_step], self._rest[self.max_step :]
            return out
        if self._tail:
            data = self._tail + data if data else self._tail
            self._tail = b""
        if data:
            self._started = True
        elif not self._more:
            return b""
        try:
            out = self._step(data)
        except DecompressionError:
            raise
        except Exception as exc:  # zlib.error, brotli.error, ZstdError, EOFError
            raise DecompressionError(
                f"Can not decode content-encoding: {self.encoding}"
            ) from exc
        if len(out) > self.max_step:
            out, self._rest = out[: self.max_step], out[self.max_step :]
        return out

    def flush(self) -> bytes:
        """End of input: check the stream is complete. Returns b""."""
        if not self.needs_input:
            raise RuntimeError("flush() before the pending output was drained")
        if self._started and not self._stream_done():
            raise DecompressionError(
                f"Can not decode content-encoding: {self.encoding} (truncated)"
            )
        return b""

    def _next_member(self) -> None:
        self._members += 1
        if self._members > MAX_MEMBERS:
            raise DecompressionError(
                f"{self.encoding} body has more than {MAX_MEMBERS} members"
            )

    # Subclass hooks.
    def _step(self, data: bytes) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError

    def _stream_done(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError


class _ZlibDecoder(Decoder):
    """gzip (members may repeat) and deflate (zlib-wrapped, or raw as a fallback)."""

    __slots__ = ("_obj", "_wbits")

    def __init__(self, max_step: int = MAX_STEP) -> None:
        super().__init__(max_step)
        self._wbits = 16 + zlib.MAX_WBITS if self.encoding == "gzip" else zlib.MAX_WBITS
        self._obj: Any = None  # created on the first byte (deflate sniffs it)

    def _step(self, data: bytes) -> bytes:
        obj = self._obj
        if obj is None:
            # Some servers send raw deflate for "deflate": a zlib header's low
            # nibble is always 8 (CM = deflate); anything else means raw.
            if self.encoding == "deflate" and data[0] & 0x0F != 8:
                self._wbits = -zlib.MAX_WBITS
            obj = self._obj = zlib.decompressobj(self._wbits)
        elif obj.eof:
            if self.encoding != "gzip":
                return b""  # bytes after a complete zlib stream are ignored
            self._next_member()
            obj = self._obj = zlib.decompressobj(self._wbits)
        out: bytes = obj.decompress(data, self.max_step)
        if obj.eof:
            self._more = False
            if self.encoding == "gzip":
                self._tail = obj.unused_data
        else:
            self._tail = obj.unconsumed_tail
            self._more = len(out) >= self.max_step
        return out

    def _stream_done(self) -> bool:
        return self._obj is not None and bool(self._obj.eof) and not self._tail


class GzipDecoder(_ZlibDecoder):
    encoding = "gzip"
    __slots__ = ()


class DeflateDecoder(_ZlibDecoder):
    encoding = "deflate"
    __slots__ = ()


class BrotliDecoder(Decoder):
    encoding = "br"
    __slots__ = ("_obj",)

    def __init__(self, max_step: int = MAX_STEP) -> None:
        factory = _BrotliDecompressor
        if factory is None:
            raise DecompressionError(
                "Can not decode content-encoding: brotli (br). Please install `Brotli`"
            )
        super().__init__(max_step)
        self._obj = factory()

    def _step(self, data: bytes) -> bytes:
        obj = self._obj
        if obj.is_finished():
            return b""  # bytes after the end of the stream are ignored
        if data and self._more and not obj.can_accept_more_data():
            self._tail = data  # brotli wants b"" until it drains
            data = b""
        # The library may overshoot its limit (about 2x), hence half a step;
        # Decoder.decompress() keeps any excess for the next call.
        limit = max(self.max_step // 2, 1)
        out = obj.process(data, output_buffer_limit=limit)
        # Brotli cannot say whether output is pending; an empty piece means no.
        self._more = bool(out) and not obj.is_finished()
        return out

    def _stream_done(self) -> bool:
        return self._obj.is_finished()


class ZstdDecoder(Decoder):
    encoding = "zstd"
    __slots__ = ("_obj",)

    def __init__(self, max_step: int = MAX_STEP) -> None:
        if not HAS_ZSTD:
            raise DecompressionError(
                "Can not decode content-encoding: zstandard (zstd). "
                "Please install `backports.zstd`"
            )
        super().__init__(max_step)
        self._obj: Any = _ZstdDecompressor()

    def _step(self, data: bytes) -> bytes:
        obj = self._obj
        if obj.eof:
            self._next_member()
            obj = self._obj = _ZstdDecompressor()
        out: bytes = obj.decompress(data, self.max_step)
        if obj.eof:
            self._tail = obj.unused_data
            self._more = False
        else:
            self._more = not obj.needs_input
        return out

    def _stream_done(self) -> bool:
        return bool(self._obj.eof) and not self._tail


_DECODERS: dict[str, type[Decoder]] = {
    "gzip": GzipDecoder,
    "deflate": DeflateDecoder,
    "br": BrotliDecoder,
    "zstd": ZstdDecoder,
}


def decoder_for(encoding: str | None, max_step: int = MAX_STEP) -> Decoder | None:
    """A fresh decoder for a Content-Encoding value, or None to pass bytes through.

    None for identity / unknown codings (aiohttp leaves those undecoded);
    ``DecompressionError`` for br / zstd when their library is not installed.
    """
    if not encoding:
        return None
    cls = _DECODERS.get(encoding.strip().lower())
    return None if cls is None else cls(max_step)


class Encoder:
    """Request-body compressor for ``compress=`` ("deflate" or "gzip")."""

    __slots__ = ("encoding", "_obj")

    def __init__(self, encoding: str = "deflate", level: int | None = None) -> None:
        enc = encoding.strip().lower()
        if enc == "gzip":
            wbits = 16 + zlib.MAX_WBITS
        elif enc == "deflate":
            wbits = zlib.MAX_WBITS
        else:
            raise ValueError(f"unsupported request compression: {encoding!r}")
        self.encoding = enc
        self._obj = zlib.compressobj(
            zlib.Z_DEFAULT_COMPRESSION if level is None else level, zlib.DEFLATED, wbits
        )

    def compress(self, data: bytes) -> bytes:
        return self._obj.compress(data)

    def flush(self) -> bytes:
        """Finish the stream: returns its last bytes."""
        return self._obj.flush(zlib.Z_FINISH)


def encoder_for(compress: str | bool) -> Encoder:
    """The encoder for aiohttp's ``compress=`` argument (True means deflate)."""
    return Encoder("deflate" if compress is True else str(compress))
