"""Certificate codes: generated, printed and read back. Pure functions."""

import secrets

# Crockford's base32: no I, L, O or U, so a code read aloud or typed is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 20 symbols x 5 bits = 100 random bits
PREFIX = "RW"
_TYPO_MAP = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_generate() -> str:
    """A fresh random code (not derived from any id)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """RW-XXXX-XXXX-XXXX-XXXX-XXXX, as printed and shown."""
    groups = [code[i : i + 4] for i in range(0, len(code), 4)]
    return "-".join([PREFIX, *groups])


def normalise_code(raw: str) -> str | None:
    """The stored form of a code typed any way (dashes, spaces, case); None if malformed."""
    text = "".join(raw.split()).upper().replace("-", "")
    if text.startswith(PREFIX) and len(text) == CODE_LENGTH + len(PREFIX):
        text = text[len(PREFIX) :]
    text = text.translate(_TYPO_MAP)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text
