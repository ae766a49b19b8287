"""Events shared by every engine twin (plain Python: created once per message)."""

from __future__ import annotations

from typing import Final


class EndOfMessage:
    """The end of one message body; ``trailers`` holds chunked trailer fields, raw."""

    __slots__ = ("trailers",)

    def __init__(self, trailers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        self.trailers = trailers

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EndOfMessage) and other.trailers == self.trailers

    def __hash__(self) -> int:
        return hash(self.trailers)

    def __repr__(self) -> str:
        return f"EndOfMessage(trailers={self.trailers!r})"


#: The end marker for the common case of no trailers (shared, never mutated).
MESSAGE_END: Final = EndOfMessage()



class ChunkEnds:
    """Where HTTP chunks ended during one feed of a chunked body (before its payload).

    ``ends`` packs, as native signed 64-bit integers (``array("q")``), the payload
    offset, counted from the start of the body, at which each chunk with data ended
    (its CRLF passed); ``base`` is the offset of the first payload byte of this feed.
    Packed so that a feed passing a thousand small chunks costs one bytes object, not a
    thousand ints; ``offsets()`` unpacks them.
    """

    __slots__ = ("ends", "base")

    def __init__(self, ends: bytes, base: int) -> None:
        self.ends = ends
        self.base = base

    def offsets(self) -> tuple[int, ...]:
        return tuple(memoryview(self.ends).cast("q"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChunkEnds) and other.ends == self.ends and other.base == self.base

    def __hash__(self) -> int:
        return hash((self.ends, self.base))

    def __repr__(self) -> str:
        return f"ChunkEnds(offsets={self.offsets()!r}, base={self.base})"


__all__ = ("EndOfMessage", "MESSAGE_END", "ChunkEnds")
