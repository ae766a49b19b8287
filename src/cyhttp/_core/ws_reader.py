"""WebSocket frame reader: chooser (exports the active twin's names only)."""

from ._accel import explicit_twins, load

_impl = load("_ws_reader_py", "_ws_reader_c")
FrameReader = _impl.FrameReader

# FrameReaderPy / FrameReaderC: both twins by explicit name, for tests and benchmarks.
__getattr__ = explicit_twins("ws_reader", ("FrameReader",))

__all__ = ("FrameReader",)
