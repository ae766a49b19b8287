"""WebSocket frame writer: chooser (exports the active twin's names only)."""

from typing import TYPE_CHECKING

from ._accel import explicit_twins, load

if TYPE_CHECKING:
    # Type checkers see the pure twin, the typed reference; the compiled twin has its interface.
    from ._ws_writer_py import FrameWriter
    from ._ws_writer_py import FrameWriter as FrameWriterPy, FrameWriter as FrameWriterC
else:
    _impl = load("_ws_writer_py", "_ws_writer_c")
    FrameWriter = _impl.FrameWriter

    # FrameWriterPy / FrameWriterC: both twins by explicit name, for tests and benchmarks.
    __getattr__ = explicit_twins("ws_writer", ("FrameWriter",))

__all__ = ("FrameWriter",)
