"""The byte buffer under StreamReader: chooser (exports the active twin's names only)."""

from ._accel import explicit_twins, load

_impl = load("_buffer_py", "_buffer_c")
Buffer = _impl.Buffer
DEFAULT_WRITE_SIZE: int = _impl.DEFAULT_WRITE_SIZE
RESERVE_LIMIT: int = _impl.RESERVE_LIMIT

# BufferPy / BufferC: both twins by explicit name, for tests and benchmarks.
__getattr__ = explicit_twins("buffer", ("Buffer",))

__all__ = ("Buffer", "DEFAULT_WRITE_SIZE", "RESERVE_LIMIT")
