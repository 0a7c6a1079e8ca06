"""The ``trimtab`` command line: one sub-command per verb, over the same services as the API.

Each verb's module is imported only when the verb runs (``trimtab.cli.app.COMMANDS``).
"""

from trimtab.cli.app import app

__all__ = ["app"]
