"""The page for people and the API docs, all served from this machine (no CDN, works offline).

- ``/`` and ``/static/*``: plain HTML, CSS and JavaScript shipped as package data.
- ``/fonts/cjk``: a CJK font found on this machine (Debian ``fonts-noto-cjk`` or
  ``fonts-wqy-*``), for browsers elsewhere that have none; the CSS asks for locally installed
  CJK fonts first, so this is only fetched when those are missing. Debian ships them as font
  collections (.ttc), which browsers refuse in ``@font-face``, so the Simplified Chinese face is
  taken out of the collection once (fontTools) and served as a single font. 404 when none.
- ``/docs``: Swagger UI from the ``swagger-ui-bundle-v2`` package when it is installed (the
  ``serve`` extra); without it there is no ``/docs`` (``/openapi.json`` is still served).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
#: Debian's CJK font files, best first.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def cjk_font_file() -> Path | None:
    """The first CJK font file installed here, or None."""
    return next((Path(p) for p in CJK_FONTS if Path(p).is_file()), None)


@functools.lru_cache(maxsize=1)
def cjk_font_bytes(path: Path) -> tuple[bytes, str]:
    """One font a browser accepts -> (bytes, media type); a collection gives its SC face."""
    if path.suffix.lower() != ".ttc":
        data = path.read_bytes()
    else:
        from fontTools.ttLib import TTCollection

        faces = TTCollection(str(path)).fonts
        names = [str(face["name"].getDebugName(4) or "") for face in faces]
        chosen = next((i for i, name in enumerate(names) if " SC" in name), 0)
        buffer = io.BytesIO()
        faces[chosen].save(buffer)
        data = buffer.getvalue()
    return data, "font/otf" if data[:4] == b"OTTO" else "font/ttf"


def swagger_assets() -> Path | None:
    """The folder of the locally installed Swagger UI, or None."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        return None
    folder = Path(swagger_ui_path)
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


def add_page_routes(app: FastAPI) -> None:
    """Mount the page, its static files, the CJK font and (when available) ``/docs``."""

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/fonts/cjk", include_in_schema=False, response_model=None)
    def cjk_font() -> Response:
        font = cjk_font_file()
        if font is None:
            return JSONResponse(status_code=404, content={"error": "no CJK font on the server"})
        data, media_type = cjk_font_bytes(font)
        return Response(data, media_type=media_type, headers={"Cache-Control": "max-age=86400"})

    assets = swagger_assets()
    if assets is None:
        return
    app.mount("/docs/assets", StaticFiles(directory=assets), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="emoreason API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )
