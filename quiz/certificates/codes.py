"""Certificate codes: generated, printed and read back. Pure functions."""

import secrets

from django.utils.translation import gettext, ngettext

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


def _symbols(raw: str) -> str:
    """What was typed, without spaces, dashes or the RW prefix, upper-cased."""
    text = "".join(raw.split()).upper().replace("-", "")
    # A bare code may itself start with R W, so the prefix goes only when the
    # rest cannot be a bare code.
    if text.startswith(PREFIX) and len(text) != CODE_LENGTH:
        text = text[len(PREFIX) :]
    return text


def normalise_code(raw: str) -> str | None:
    """The stored form of a code typed any way (dashes, spaces, case); None if malformed."""
    text = _symbols(raw).translate(_TYPO_MAP)
    if len(text) != CODE_LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def _shown(char: str) -> str:
    """A character as a message can show it (an invisible one by its code point)."""
    return char if char.isprintable() else f"U+{ord(char):04X}"


def code_problem(raw: str) -> str | None:
    """Why a typed code is not a code, in words; None when it is one.

    None exactly when normalise_code(raw) is not None.
    """
    for char in "".join(raw.split()).replace("-", ""):
        if any(ch not in ALPHABET for ch in char.upper().translate(_TYPO_MAP)):
            return gettext(
                "“%(char)s” is not used in certificate codes: they have the digits"
                " 0 to 9 and the letters A to Z except I, L, O and U (an O is read"
                " as 0, an I or L as 1)."
            ) % {"char": _shown(char)}
    count = len(_symbols(raw))
    if count == 0:
        return gettext(
            "Type the 20 letters and digits printed after RW- on the certificate."
        )
    if count < CODE_LENGTH:
        return ngettext(
            "Too short: it has %(count)d character after RW- (not counting dashes"
            " and spaces); a certificate code has 20.",
            "Too short: it has %(count)d characters after RW- (not counting dashes"
            " and spaces); a certificate code has 20.",
            count,
        ) % {"count": count}
    if count > CODE_LENGTH:
        return ngettext(
            "Too long: it has %(count)d character after RW- (not counting dashes"
            " and spaces); a certificate code has 20.",
            "Too long: it has %(count)d characters after RW- (not counting dashes"
            " and spaces); a certificate code has 20.",
            count,
        ) % {"count": count}
    return None
