"""What other features use of web, the shell of every page (base.html, app.css): the
visitor's language and a page rendered in it."""

from .i18n import from_header
from .rendering import chosen_language, language, page

__all__ = ["chosen_language", "from_header", "language", "page"]
