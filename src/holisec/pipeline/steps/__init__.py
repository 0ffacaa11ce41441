"""Pure pipeline steps, one concept per module.

Each module has one function per method, a ``METHODS`` registry and a dispatcher of the same
name as the module (``impute.impute(data, "linear", ...)``). Steps take a panel and return
``(new panel, report)``; ``weight`` takes a framework and returns ``(weights, report)``.
"""
