"""What other features use of web, the shell of every page (base.html, app.css): the
visitor's language and a page rendered in it; and what the app wraps every answer in
(security headers, form limits, compression, how long static files are kept, the
templates' static-file helpers)."""

from .assets import cache_headers
from .assets import install as install_template_helpers
from .compression import COMPRESSION, UNCOMPRESSED
from .i18n import from_header
from .rendering import chosen_language, language, page
from .security import MULTIPART_PART_LIMIT, FormLimits, security_headers

__all__ = [
    "COMPRESSION",
    "MULTIPART_PART_LIMIT",
    "UNCOMPRESSED",
    "FormLimits",
    "cache_headers",
    "chosen_language",
    "from_header",
    "install_template_helpers",
    "language",
    "page",
    "security_headers",
]
