"""What other features may use of the statistics (the back office links to the page,
``/{lang}/admin/stats``): the figures themselves and who may see them."""

from .figures import monthly, report
from .records import MonthRow, Report, ServiceDayRow
from .scope import may_see_statistics, sites_in_view

__all__ = [
    "MonthRow",
    "Report",
    "ServiceDayRow",
    "may_see_statistics",
    "monthly",
    "report",
    "sites_in_view",
]
