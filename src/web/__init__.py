"""Server-rendered pages: the front-desk console, the call display, a visitor's ticket."""
