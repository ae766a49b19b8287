"""WebSocket frame reader: chooser (exports the active twin's names only)."""

from typing import TYPE_CHECKING

from ._accel import explicit_twins, load

if TYPE_CHECKING:
    # Type checkers see the pure twin, the typed reference; the compiled twin has its interface.
    from ._ws_reader_py import FrameReader
    from ._ws_reader_py import FrameReader as FrameReaderPy, FrameReader as FrameReaderC
else:
    _impl = load("_ws_reader_py", "_ws_reader_c")
    FrameReader = _impl.FrameReader

    # FrameReaderPy / FrameReaderC: both twins by explicit name, for tests and benchmarks.
    __getattr__ = explicit_twins("ws_reader", ("FrameReader",))

__all__ = ("FrameReader",)
