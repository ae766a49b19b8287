"""The byte buffer under StreamReader: chooser (exports the active twin's names only)."""

from typing import TYPE_CHECKING

from ._accel import explicit_twins, load

if TYPE_CHECKING:
    # Type checkers see the pure twin, the typed reference; the compiled twin has its interface.
    from ._buffer_py import Buffer, DEFAULT_WRITE_SIZE, RESERVE_LIMIT
    from ._buffer_py import Buffer as BufferPy, Buffer as BufferC
else:
    _impl = load("_buffer_py", "_buffer_c")
    Buffer = _impl.Buffer
    DEFAULT_WRITE_SIZE = _impl.DEFAULT_WRITE_SIZE
    RESERVE_LIMIT = _impl.RESERVE_LIMIT

    # BufferPy / BufferC: both twins by explicit name, for tests and benchmarks.
    __getattr__ = explicit_twins("buffer", ("Buffer",))

__all__ = ("Buffer", "DEFAULT_WRITE_SIZE", "RESERVE_LIMIT")
