"""UrlMappingMatchInfo: what routing found for one request (a dict of the URL's variables).

How this works: a dict subclass holding the matched route and the stack of applications
the request passed through (the top-level app first); ``current_app`` is the app whose
middlewares/handler run now.  ``MatchInfoError`` is the match of "no route": its route
is a SystemRoute that raises the 404/405.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..abc import AbstractMatchInfo
from .routes import AbstractRoute, SystemRoute

if TYPE_CHECKING:
    from .app import Application
    from .exceptions import HTTPException

__all__ = ("UrlMappingMatchInfo", "MatchInfoError")


class UrlMappingMatchInfo(dict[str, str], AbstractMatchInfo):
    """The variables of the matched URL, plus ``route``, ``handler`` and the app stack."""

    __slots__ = ("_route", "_apps", "_current_app", "_frozen")

    def __init__(self, match_dict: dict[str, str], route: AbstractRoute) -> None:
        super().__init__(match_dict)
        self._route = route
        self._apps: list[Application] = []
        self._current_app: Application | None = None
        self._frozen = False

    @property
    def handler(self) -> Any:
        return self._route.handler

    @property
    def route(self) -> AbstractRoute:
        return self._route

    @property
    def expect_handler(self) -> Any:
        return self._route.handle_expect_header

    @property
    def http_exception(self) -> HTTPException | None:
        return None

    def get_info(self) -> dict[str, Any]:
        return self._route.get_info()

    @property
    def apps(self) -> tuple[Application, ...]:
        return tuple(self._apps)

    def add_app(self, app: Application) -> None:
        if self._frozen:
            raise RuntimeError("Cannot change apps stack after .freeze() call")
        if self._current_app is None:
            self._current_app = app
        self._apps.insert(0, app)

    @property
    def current_app(self) -> Application:
        app = self._current_app
        assert app is not None
        return app

    @current_app.setter
    def current_app(self, app: Application) -> None:
        self._current_app = app

    def freeze(self) -> None:
        self._frozen = True

    def __repr__(self) -> str:
        return f"<MatchInfo {super().__repr__()}: {self._route}>"


class MatchInfoError(UrlMappingMatchInfo):
    """No route matched: the handler raises ``http_exception`` (404 or 405)."""

    __slots__ = ("_exception",)

    def __init__(self, http_exception: HTTPException) -> None:
        self._exception = http_exception
        super().__init__({}, SystemRoute(http_exception))

    @property
    def http_exception(self) -> HTTPException:
        return self._exception

    def __repr__(self) -> str:
        return f"<MatchInfoError {self._exception.status}: {self._exception.reason}>"
