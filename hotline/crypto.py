"""Pseudonyms and encryption at rest, both keyed by HOTLINE_SECRET_KEY."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret.encode()
    )


class Vault:
    """Separate keys for pseudonyms and for encryption, derived from one secret."""

    def __init__(self, secret_key: str) -> None:
        self._pseudonym_key = _derive(secret_key, b"safeline pseudonym v1")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(secret_key, b"safeline fernet v1")))

    def pseudonym(self, channel: str, address: str) -> str:
        """A stable id for a texter that reveals nothing without the key."""
        digest = hmac.new(self._pseudonym_key, f"{channel}:{address}".encode(), hashlib.sha256)
        return "c_" + digest.hexdigest()[:32]

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise ValueError("cannot decrypt: wrong secret key or corrupted data") from error
