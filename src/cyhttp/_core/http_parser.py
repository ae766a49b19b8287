"""HTTP/1.1 response parser: chooser (exports the active twin's names only)."""

from typing import TYPE_CHECKING

from ._accel import explicit_twins, load

if TYPE_CHECKING:
    # Type checkers see the pure twin, the typed reference; the compiled twin has its interface.
    from ._http_parser_py import ResponseHead, ResponseParser
    from ._http_parser_py import ResponseParser as ResponseParserPy, ResponseParser as ResponseParserC
    from ._http_parser_py import ResponseHead as ResponseHeadPy, ResponseHead as ResponseHeadC
else:
    _impl = load("_http_parser_py", "_http_parser_c")
    ResponseParser = _impl.ResponseParser
    ResponseHead = _impl.ResponseHead

    # ResponseParserPy / ResponseParserC, ResponseHeadPy / ResponseHeadC: both twins by
    # explicit name, for tests and benchmarks.
    __getattr__ = explicit_twins("http_parser", ("ResponseParser", "ResponseHead"))

__all__ = ("ResponseParser", "ResponseHead")
