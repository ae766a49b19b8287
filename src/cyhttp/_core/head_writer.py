"""HTTP/1.1 head writer: chooser (exports the active twin's names only)."""

from ._accel import explicit_twins, load

_impl = load("_head_writer_py", "_head_writer_c")
write_response_head = _impl.write_response_head
write_request_head = _impl.write_request_head

# write_response_headPy / write_response_headC, write_request_headPy / ...: both twins
# by explicit name, for tests and benchmarks.
__getattr__ = explicit_twins("head_writer", ("write_response_head", "write_request_head"))

__all__ = ("write_response_head", "write_request_head")
