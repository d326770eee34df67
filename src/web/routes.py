from litestar import get
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from wcr import features

# One /static/ for every feature's static/ folder (names are unique across them).
STATIC = create_static_files_router(
    path="/static", directories=features.folders("static"), include_in_schema=False
)


@get("/favicon.ico", include_in_schema=False, cache=86400)
async def favicon() -> Redirect:
    """Browsers and feed readers ask for it on their own; the pages link the SVG."""
    return Redirect("/static/icon.svg", status_code=301)


ROUTES = [STATIC, favicon]
