"""WebSocket frame writer: chooser (exports the active twin's names only)."""

from ._accel import explicit_twins, load

_impl = load("_ws_writer_py", "_ws_writer_c")
FrameWriter = _impl.FrameWriter

# FrameWriterPy / FrameWriterC: both twins by explicit name, for tests and benchmarks.
__getattr__ = explicit_twins("ws_writer", ("FrameWriter",))

__all__ = ("FrameWriter",)
