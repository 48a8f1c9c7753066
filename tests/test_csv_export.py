"""The CSV writer on its own: formulas neutralised, numbers kept."""

import csv
import io

import pytest

from quiz.reports.csv_export import csv_lines, neutralise


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("-12.3", "-12.3"),
        ("+5", "+5"),
        ("Zoë", "Zoë"),
        (None, ""),
    ],
)
def test_neutralise(cell, expected):
    assert neutralise(cell) == expected


def test_csv_lines_start_with_a_bom_and_parse_back():
    text = "".join(
        csv_lines(["name", "score"], [["=evil()", -4.5], ['Łukasz, "Ł"', 10]])
    )

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["name", "score"], ["'=evil()", "-4.5"], ['Łukasz, "Ł"', "10"]]


def test_header_cells_are_neutralised_like_body_cells():
    text = "".join(csv_lines(["=cmd", "-2-3_grade", "name", "-5"], []))

    [header] = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header == ["'=cmd", "'-2-3_grade", "name", "-5"]
