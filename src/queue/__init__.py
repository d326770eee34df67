"""Front-desk waiting queue (issue 4). Imported as ``wcr.queue``, never as ``queue``."""
