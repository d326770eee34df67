"""What other features use of the notifications."""

from . import outbox_files
from .dispatcher import recipient_day
from .records import Channel, MessageKind, MessageRecord, MessageStatus
from .repository import (
    counts_before,
    drop_pending_messages,
    erase_messages,
    forget_counts_before,
    forget_counts_of,
    messages_of,
)

__all__ = [
    "Channel",
    "MessageKind",
    "MessageRecord",
    "MessageStatus",
    "counts_before",
    "drop_pending_messages",
    "erase_messages",
    "forget_counts_before",
    "forget_counts_of",
    "messages_of",
    "outbox_files",
    "recipient_day",
]
