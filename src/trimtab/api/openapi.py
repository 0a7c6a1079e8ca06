"""``python -m trimtab.api.openapi [FILE]``: write the OpenAPI document (for the page's types)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from trimtab.api.app import build_api


def main(argv: list[str]) -> None:
    document = json.dumps(build_api().openapi(), indent=2, sort_keys=True) + "\n"
    if argv:
        Path(argv[0]).write_text(document)
    else:
        sys.stdout.write(document)


if __name__ == "__main__":
    main(sys.argv[1:])
