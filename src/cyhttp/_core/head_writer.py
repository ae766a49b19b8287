"""HTTP/1.1 head writer: chooser (exports the active twin's names only)."""

from typing import TYPE_CHECKING

from ._accel import explicit_twins, load

if TYPE_CHECKING:
    # Type checkers see the pure twin, the typed reference; the compiled twin has its interface.
    from ._head_writer_py import write_request_head, write_response_head
    from ._head_writer_py import write_request_head as write_request_headC
    from ._head_writer_py import write_request_head as write_request_headPy
    from ._head_writer_py import write_response_head as write_response_headC
    from ._head_writer_py import write_response_head as write_response_headPy
else:
    _impl = load("_head_writer_py", "_head_writer_c")
    write_response_head = _impl.write_response_head
    write_request_head = _impl.write_request_head

    # write_response_headPy / write_response_headC, write_request_headPy / ...: both twins
    # by explicit name, for tests and benchmarks.
    __getattr__ = explicit_twins("head_writer", ("write_response_head", "write_request_head"))

__all__ = ("write_response_head", "write_request_head")
