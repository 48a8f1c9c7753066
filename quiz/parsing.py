"""Reading numbers from requests."""


def is_number(raw: str, digits: int = 9) -> bool:
    """Plain ASCII digits only ("²" and "١" pass str.isdigit but not int())."""
    return 0 < len(raw) <= digits and raw.isascii() and raw.isdigit()
