"""``python -m trimtab.cli``: the same as the ``trimtab`` command."""

from trimtab.cli import app

app()
