"""HTTP/1.1 response and request parsers: chooser (exports the active twin's names only)."""

from ._accel import explicit_twins, load

_impl = load("_http_parser_py", "_http_parser_c")
ResponseParser = _impl.ResponseParser
ResponseHead = _impl.ResponseHead
RequestParser = _impl.RequestParser
RequestHead = _impl.RequestHead

# ResponseParserPy / ResponseParserC, RequestParserPy / RequestParserC, and the heads'
# ResponseHeadPy / ...: both twins by explicit name, for tests and benchmarks.
__getattr__ = explicit_twins(
    "http_parser", ("ResponseParser", "ResponseHead", "RequestParser", "RequestHead")
)

__all__ = ("ResponseParser", "ResponseHead", "RequestParser", "RequestHead")
