"""The server's secret key: ``TRIMTAB_SECRET_KEY``, or one generated once and kept under ``var/``.

It signs session cookies and derives the key that encrypts broker credentials, so
it must survive restarts and be the same on every replica: production sets the
variable; a single self-hosted process gets a file it creates on first start.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from trimtab.config import Settings

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

KEY_FILE = Path("var") / "secret.key"


def server_secret(settings: Settings, key_file: Path = KEY_FILE) -> str:
    """The configured secret, else the one in ``key_file`` (created with mode 0600 if missing)."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    # O_EXCL: when two processes start at once, one writes and the other reads its key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def credentials_cipher(secret: str) -> Fernet:
    """The Fernet cipher for stored secrets (broker keys, webhook secrets), derived from
    the server secret."""
    from cryptography.fernet import Fernet

    digest = hashlib.sha256(b"trimtab broker credentials\0" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))
