"""CSV exports that Excel opens and that cannot smuggle formulas (pure functions)."""

import csv
import re
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse

from accounts.http import attachment_header

BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet (OWASP CSV injection).
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")


def neutralise(value) -> str:
    """The cell as text, with a leading quote when a spreadsheet would run it.

    A plain number ("-12.5") is data, not a formula, and is left as it is.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES) and not NUMBER.match(text):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text line by line, a BOM first; numbers are never quoted away.

    Header cells are neutralised too: they carry names users chose (a quiz's slug
    "-2-3" heads a column "-2-3_grade")."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        yield writer.writerow(
            [
                cell if isinstance(cell, int | float) else neutralise(cell)
                for cell in row
            ]
        )


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    """A streamed CSV download: memory stays flat whatever the number of rows."""
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in csv_lines(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = attachment_header(filename)
    return response
