"""HTTP/1.1 response and request parsers: chooser (exports the active twin's names only)."""

from typing import TYPE_CHECKING

from ._accel import explicit_twins, load

if TYPE_CHECKING:
    # Type checkers see the pure twin, the typed reference; the compiled twin has its interface.
    from ._http_parser_py import RequestHead, RequestParser, ResponseHead, ResponseParser
    from ._http_parser_py import RequestHead as RequestHeadC
    from ._http_parser_py import RequestHead as RequestHeadPy
    from ._http_parser_py import RequestParser as RequestParserC
    from ._http_parser_py import RequestParser as RequestParserPy
    from ._http_parser_py import ResponseHead as ResponseHeadC
    from ._http_parser_py import ResponseHead as ResponseHeadPy
    from ._http_parser_py import ResponseParser as ResponseParserC
    from ._http_parser_py import ResponseParser as ResponseParserPy
else:
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
