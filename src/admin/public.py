"""What other features use of the admin back office: where its pages are, so theirs
(statistics, the audit log) can link back to it."""


def admin_home(lang: str) -> str:
    return f"/{lang}/admin"


__all__ = ["admin_home"]
