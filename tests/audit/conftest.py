# The front desk of Bochum (counters, a clerk, an admin), as the queue's tests have it;
# Debian's Chromium, as the page tests have it.
from tests.queue.conftest import desk
from tests.web.conftest import browser

__all__ = ["browser", "desk"]
