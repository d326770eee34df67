"""Staff accounts, sessions and the guards of every staff endpoint."""
