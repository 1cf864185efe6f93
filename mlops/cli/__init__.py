"""The ``erpml`` command line: one command of verb/noun groups."""
