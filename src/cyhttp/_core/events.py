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

__all__ = ("EndOfMessage", "MESSAGE_END")
