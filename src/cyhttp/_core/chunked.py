"""Chunked transfer decoder: chooser (exports the active twin's names only)."""

from typing import TYPE_CHECKING

from ._accel import explicit_twins, load

if TYPE_CHECKING:
    # Type checkers see the pure twin, the typed reference; the compiled twin has its interface.
    from ._chunked_py import ChunkedDecoder
    from ._chunked_py import ChunkedDecoder as ChunkedDecoderPy, ChunkedDecoder as ChunkedDecoderC
else:
    _impl = load("_chunked_py", "_chunked_c")
    ChunkedDecoder = _impl.ChunkedDecoder

    # ChunkedDecoderPy / ChunkedDecoderC: both twins by explicit name, for tests and benchmarks.
    __getattr__ = explicit_twins("chunked", ("ChunkedDecoder",))

__all__ = ("ChunkedDecoder",)
