from litestar.static_files import create_static_files_router

from wcr import features

# One /static/ for every feature's static/ folder (names are unique across them).
STATIC = create_static_files_router(
    path="/static", directories=features.folders("static"), include_in_schema=False
)

ROUTES = [STATIC]
