"""What other features use of web, the shell of every page (base.html, app.css): the
visitor's language and a page rendered in it; and what the app wraps every answer in
(security headers, form limits)."""

from .i18n import from_header
from .rendering import chosen_language, language, page
from .security import MULTIPART_PART_LIMIT, FormLimits, security_headers

__all__ = [
    "MULTIPART_PART_LIMIT",
    "FormLimits",
    "chosen_language",
    "from_header",
    "language",
    "page",
    "security_headers",
]
