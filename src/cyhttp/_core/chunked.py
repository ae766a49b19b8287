"""Chunked transfer decoder: chooser (exports the active twin's names only)."""

from ._accel import explicit_twins, load

_impl = load("_chunked_py", "_chunked_c")
ChunkedDecoder = _impl.ChunkedDecoder

# ChunkedDecoderPy / ChunkedDecoderC: both twins by explicit name, for tests and benchmarks.
__getattr__ = explicit_twins("chunked", ("ChunkedDecoder",))

__all__ = ("ChunkedDecoder",)
