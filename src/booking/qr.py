"""A booking reference as a QR code, on the confirmation and the manage page."""

from __future__ import annotations

import segno
from markupsafe import Markup


def reference_qr(reference: str) -> Markup:
    """The reference as a QR code (inline SVG) for the front desk's scanner. Only the
    reference: the manage token must not travel through a desk's scanner."""
    svg = segno.make(reference, error="m").svg_inline(scale=5, dark="#14213d", light="#fff")
    return Markup(svg)  # noqa: S704 - segno's own SVG, no user input beyond the reference
