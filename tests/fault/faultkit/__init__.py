"""Fault-injection harness for Atlas: kills, concurrency, cache corruption, hostile trees.

Atlas is driven only through its command line, in subprocesses, so the harness does not
depend on internals. Run it with ``scripts/fault`` (``--long`` for hundreds of trials);
``tests/fault/test_fault.py`` runs the short form in the normal test suite.
"""
