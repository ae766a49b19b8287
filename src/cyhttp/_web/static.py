"""StaticResource: the files of one directory under a URL prefix (``add_static``).

How this works: the URL path is normalised before matching, so ``..`` can never climb
above the prefix; the file path is then resolved (in an executor) and must stay inside
the directory (symlinks out of it only with ``follow_symlinks``), else 404.  A
directory is listed (``show_index``) or forbidden (403); a file is a ``FileResponse``.
``url_for(filename=...)`` can append a content hash (``append_version``) for caching.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import os
import platform
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from yarl import URL

from .exceptions import HTTPForbidden, HTTPNotFound
from .file_response import FileResponse
from .match_info import UrlMappingMatchInfo
from .resources import PrefixResource, Resolve, quote_path, unquote_path_safe
from .response import Response
from .routes import ExpectHandler, ResourceRoute

if TYPE_CHECKING:
    from .request import Request
    from .routes import AbstractRoute, Handler
    from .stream_response import StreamResponse

__all__ = ("StaticResource",)

IS_WINDOWS: Final = platform.system() == "Windows"
# A symlink loop raises RuntimeError on resolve() before 3.13 (OSError after).
_OUTSIDE: Final[tuple[type[Exception], ...]] = (
    (ValueError, RuntimeError) if sys.version_info < (3, 13) else (ValueError,))


class StaticResource(PrefixResource):
    VERSION_KEY = "v"

    def __init__(self, prefix: str, directory: Any, *, name: str | None = None,
                 expect_handler: ExpectHandler | None = None, chunk_size: int = 256 * 1024,
                 show_index: bool = False, follow_symlinks: bool = False,
                 append_version: bool = False) -> None:
        super().__init__(prefix, name=name)
        try:
            directory = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError as error:
            raise ValueError(f"'{directory}' does not exist") from error
        if not directory.is_dir():
            raise ValueError(f"'{directory}' is not a directory")
        self._directory = directory
        self._show_index = show_index
        self._chunk_size = chunk_size
        self._follow_symlinks = follow_symlinks
        self._expect_handler = expect_handler
        self._append_version = append_version
        self._routes = {method: ResourceRoute(method, self._handle, self,
                                              expect_handler=expect_handler)
                        for method in ("GET", "HEAD")}
        self._allowed_methods = set(self._routes)

    def url_for(self, *, filename: Any, append_version: bool | None = None) -> URL:  # type: ignore[override]
        if append_version is None:
            append_version = self._append_version
        filename = str(filename).lstrip("/")
        url: URL = URL.build(path=self._prefix, encoded=True) / filename
        if append_version:
            unresolved = self._directory.joinpath(filename)
            try:
                if self._follow_symlinks:
                    normalized = Path(os.path.normpath(unresolved))
                    normalized.relative_to(self._directory)
                    filepath = normalized.resolve()
                else:
                    filepath = unresolved.resolve()
                    filepath.relative_to(self._directory)
            except (ValueError, FileNotFoundError):
                return url  # outside the directory (or missing): no version
            if filepath.is_file():
                digest = hashlib.sha256(filepath.read_bytes()).digest()
                versioned: URL = url.with_query(
                    {self.VERSION_KEY: base64.urlsafe_b64encode(digest).decode("ascii")})
                return versioned
        return url

    def get_info(self) -> dict[str, Any]:
        return {"directory": self._directory, "prefix": self._prefix, "routes": self._routes}

    def set_options_route(self, handler: Handler) -> None:
        if "OPTIONS" in self._routes:
            raise RuntimeError("OPTIONS route was set already")
        self._routes["OPTIONS"] = ResourceRoute("OPTIONS", handler, self,
                                                expect_handler=self._expect_handler)
        self._allowed_methods.add("OPTIONS")

    async def resolve(self, request: Request) -> Resolve:
        path = request.rel_url.path_safe
        method = request.method
        # Normalised first, so /static/../../etc/passwd cannot match below the root.
        norm_path = os.path.normpath(path)
        if IS_WINDOWS:
            norm_path = norm_path.replace("\\", "/")
        if not norm_path.startswith(self._prefix2) and norm_path != self._prefix:
            return None, set()
        allowed = self._allowed_methods
        if method not in allowed:
            return None, allowed
        match_dict = {"filename": unquote_path_safe(path[len(self._prefix) + 1:])}
        return UrlMappingMatchInfo(match_dict, self._routes[method]), allowed

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes.values())

    async def _handle(self, request: Request) -> StreamResponse:
        filename = request.match_info["filename"]
        if Path(filename).is_absolute():  # //host/share or C:\ : never leave the directory
            raise HTTPNotFound()
        unresolved = self._directory.joinpath(filename)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._resolve_path_to_response, unresolved)

    def _resolve_path_to_response(self, unresolved: Path) -> StreamResponse:
        try:
            if self._follow_symlinks:
                normalized = Path(os.path.normpath(unresolved))
                normalized.relative_to(self._directory)
                file_path = normalized.resolve()
            else:
                file_path = unresolved.resolve()
                file_path.relative_to(self._directory)
        except _OUTSIDE as error:
            raise HTTPNotFound() from error
        try:
            if file_path.is_dir():
                if self._show_index:
                    return Response(text=self._directory_as_html(file_path),
                                    content_type="text/html")
                raise HTTPForbidden()
        except PermissionError as error:
            raise HTTPForbidden() from error
        return FileResponse(file_path, chunk_size=self._chunk_size)

    def _directory_as_html(self, dir_path: Path) -> str:
        relative = dir_path.relative_to(self._directory).as_posix()
        index_of = f"Index of /{html.escape(relative, quote=True)}"
        items = []
        for entry in sorted(dir_path.iterdir()):
            rel_path = entry.relative_to(self._directory).as_posix()
            url = quote_path(f"{self._prefix}/{rel_path}")
            name = f"{entry.name}/" if entry.is_dir() else entry.name
            items.append(f'<li><a href="{url}">{html.escape(name, quote=True)}</a></li>')
        ul = "<ul>\n{}\n</ul>".format("\n".join(items))
        body = f"<body>\n<h1>{index_of}</h1>\n{ul}\n</body>"
        head = f"<head>\n<title>{index_of}</title>\n</head>"
        return f"<html>\n{head}\n{body}\n</html>"

    def __repr__(self) -> str:
        name = "'" + self.name + "'" if self.name is not None else ""
        return f"<StaticResource {name} {self._prefix} -> {self._directory!r}>"
