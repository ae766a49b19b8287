"""aiohttp's ``multipart`` import path: the multipart writer and reader.

A façade: re-exports only (the code lives in the layered packages).
"""

from ._http.multipart_writer import (
    BadContentDispositionHeader,
    BadContentDispositionParam,
    BodyPartReader,
    BodyPartReaderPayload,
    MultipartReader,
    MultipartResponseWrapper,
    MultipartWriter,
    content_disposition_filename,
    parse_content_disposition,
)

__all__ = (
    "MultipartWriter",
    "MultipartReader",
    "MultipartResponseWrapper",
    "BodyPartReader",
    "BodyPartReaderPayload",
    "BadContentDispositionHeader",
    "BadContentDispositionParam",
    "content_disposition_filename",
    "parse_content_disposition",
)
