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
# A handler with opt={UNCOMPRESSED: True} answers as it is: Litestar sets up a
# compressor for every answer before it knows the size, and for an answer of a few
# hundred bytes that costs more than it saves. The booking's own (a 409 of 200 bytes,
# under a rush most of them) is one: 6 % of the server's CPU in bench/booking_race.py.
UNCOMPRESSED = "uncompressed"

COMPRESSION = CompressionConfig(
    backend="gzip",
    gzip_compress_level=6,
    minimum_size=500,
    exclude=[EVENT_STREAMS],
    exclude_opt_key=UNCOMPRESSED,
)
