"""The shell of every page: base.html, app.css, /static/ and the visitor's language."""
