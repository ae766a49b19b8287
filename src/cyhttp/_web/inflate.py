"""A compressed request body decoded into its stream, in bounded steps (auto_decompress).

How this works: the shared decoders (``_http.compression``) hand out at most one bounded
step of output per call.  ``feed`` decodes into the body's StreamReader only while the
reader has room below its high-water mark; when it is full, decoding stops with output
still pending (``feed`` returns False) and the protocol holds back the events that came
after (see protocol.py).  Once the handler reads, the reader asks to resume, and
``resume`` goes on where decoding stopped.  So a compression bomb never expands past one
step beyond the high-water mark, and ``client_max_size`` then bounds what ``read()``
accepts.  ``end`` checks the compressed stream is complete.  A body that cannot be
decoded fails its reader with ``RequestPayloadError``; the rest of it is dropped.
"""

from __future__ import annotations

from typing import Any

from .._http.compression import Decoder, DecompressionError, decoder_for
from .errors import RequestPayloadError

__all__ = ("Inflater", "inflater_for", "DecompressionError")


class Inflater:
    """Decodes one body into ``payload``; see the module docstring."""

    __slots__ = ("_decoder", "_payload")

    def __init__(self, decoder: Decoder | None, payload: Any) -> None:
        self._decoder = decoder  # None once the body failed
        self._payload = payload

    def feed(self, data: bytes) -> bool:
        """Decode ``data``; False when the reader filled up with output still pending."""
        decoder = self._decoder
        if decoder is None:
            return True
        try:
            self._payload.feed_data(decoder.decompress(data))
        except DecompressionError as exc:
            self._fail(exc)
            return True
        return self.resume()

    def resume(self) -> bool:
        """Go on with pending output; False while the reader is still full."""
        decoder = self._decoder
        payload = self._payload
        try:
            while decoder is not None and not decoder.needs_input:
                if payload.room() < 0:  # past high water: the reader has paused us
                    return False
                payload.feed_data(decoder.decompress(b""))
        except DecompressionError as exc:
            self._fail(exc)
        return True

    def end(self) -> None:
        """The compressed body ended: it must be complete."""
        decoder = self._decoder
        if decoder is None:
            return
        try:
            decoder.flush()
        except DecompressionError as exc:
            self._fail(exc)
            return
        self._payload.feed_eof()

    def _fail(self, exc: DecompressionError) -> None:
        self._decoder = None
        err = RequestPayloadError(str(exc))
        err.__cause__ = exc
        self._payload.set_exception(err)


def inflater_for(encoding: str | None, payload: Any) -> Inflater | None:
    """An Inflater for a Content-Encoding the server decodes (gzip, deflate, br, zstd),
    None for one it passes through (identity, unknown codings, as aiohttp)."""
    try:
        decoder = decoder_for(encoding)
    except DecompressionError as exc:  # br / zstd without their library
        inflater = Inflater(None, payload)
        inflater._fail(exc)
        return inflater
    return None if decoder is None else Inflater(decoder, payload)
