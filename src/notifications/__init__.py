"""E-mail and SMS messages to visitors (issue 5)."""
