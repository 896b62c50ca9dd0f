"""Review rules, one family per module; every rule is listed in :mod:`registry`."""
