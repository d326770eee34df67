from .agency_pages import AgencyPages
from .counter_pages import CounterPages
from .home_pages import HomePages
from .package_pages import PackagePages
from .rule_pages import RulePages
from .service_pages import ServicePages
from .site_pages import SitePages
from .staff_pages import StaffPages

ROUTES = [
    HomePages,
    SitePages,
    AgencyPages,
    ServicePages,
    CounterPages,
    PackagePages,
    RulePages,
    StaffPages,
]
