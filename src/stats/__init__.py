"""Statistics for the centres and their funders: per site, agency, service and day,
and the ESF summary (issue 13)."""
