"""What other features use of the catalogue."""

from .records import Agency, Service, Site
from .service import (
    add_order_rule,
    agency_by_slug,
    agency_for_key,
    create_agency_key,
    ensure_serves,
    list_agencies,
    list_services,
    list_sites,
    order_rules_among,
    serve_site,
    service_by_slug,
    services_by_id,
    site_by_id,
    site_by_slug,
    sites_served,
)

__all__ = [
    "Agency",
    "Service",
    "Site",
    "add_order_rule",
    "agency_by_slug",
    "agency_for_key",
    "create_agency_key",
    "ensure_serves",
    "list_agencies",
    "list_services",
    "list_sites",
    "order_rules_among",
    "serve_site",
    "service_by_slug",
    "services_by_id",
    "site_by_id",
    "site_by_slug",
    "sites_served",
]
