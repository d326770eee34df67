"""Appointments and one-stop-shop queues for welcome centres (import name ``wcr``)."""
