"""What the composition roots (the command line, the worker) use of data protection."""

from .person import erase as erase_person
from .person import export as export_person
from .records import Erasure, Purge
from .retention import every_day, purge

__all__ = ["Erasure", "Purge", "erase_person", "every_day", "export_person", "purge"]
