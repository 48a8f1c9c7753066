"""How the site rounds numbers for people: half up, everywhere (a chart and the
table beside it, a grade in Python and in SQL, must never differ by one)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def round_grade(value) -> Decimal:
    """A grade to two places, half up (80.125 -> 80.13), whatever the database gave."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def whole_percent(value: float) -> int:
    """A percentage to a whole number, half up, as the tables round (Django's
    floatformat): 62.5 is 63, where Python's round() says 62."""
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
