"""What other features use of the audit log: :func:`record` an entry, read
:func:`entries`, the actors, :func:`acting_as` (who the entries of domain events name
where no request does), :func:`forget_addresses` (for the retention purge), and for the
app the HTTP trail (:class:`AuditTrail`) and :func:`describe` (a handler naming its
target when its path does not)."""

from .journal import acting_as, entries, forget_addresses, record
from .records import SYSTEM_CLI, SYSTEM_PURGE, SYSTEM_WORKER, Actor, ActorKind, AuditEntry
from .trail import AuditTrail, describe

__all__ = [
    "SYSTEM_CLI",
    "SYSTEM_PURGE",
    "SYSTEM_WORKER",
    "Actor",
    "ActorKind",
    "AuditEntry",
    "AuditTrail",
    "acting_as",
    "describe",
    "entries",
    "forget_addresses",
    "record",
]
