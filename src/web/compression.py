"""Text answers (pages, stylesheets, scripts, JSON) gzipped for clients that accept it:
a booking page is a fifth of its size, which on a phone's slow network is most of the
time after the first round trip (bench/booking_pages.py).

gzip, not brotli: browsers ask for brotli over HTTPS only, and gzip needs no library of
its own. Level 6, zlib's default: level 9 (Litestar's) costs about twice the CPU for a
page a percent smaller. Event streams stay as they are: each event must leave at once,
and a stream compressed per subscriber would cost a compressor for every display.
"""

from __future__ import annotations

from litestar.config.compression import CompressionConfig

EVENT_STREAMS = r"/events$"

COMPRESSION = CompressionConfig(
    backend="gzip", gzip_compress_level=6, minimum_size=500, exclude=[EVENT_STREAMS]
)
