"""CSV files the service writes, made safe to open in a spreadsheet.

Names, attributes and even addresses come from anyone (the public form, the preferences page,
an imported file). A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as
a formula (tab and carriage return can stand before one), so ``=HYPERLINK(...)`` in a name
would become a link that sends the sheet's data away. As OWASP's CSV injection guidance
advises, such a cell is written with a leading ``'``, which spreadsheets read as "this is
text", and every cell is quoted, so that a spreadsheet splitting on another separator (``;``)
cannot cut a formula out of the middle of one.

A cell that already begins with ``'`` gets one more, so the change can be undone exactly:
the importer reads every cell through :func:`restore_cell`, and a file the service wrote
imports as the values it was written from.
"""

import csv
from collections.abc import Iterable
from typing import TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TEXT_MARK = "'"
_MARKED_STARTS = (*FORMULA_STARTS, _TEXT_MARK)


def neutralise_cell(value: object) -> str:
    """``value`` as a cell a spreadsheet shows as text (None is an empty cell)."""
    text = "" if value is None else str(value)
    return _TEXT_MARK + text if text.startswith(_MARKED_STARTS) else text


def restore_cell(text: str) -> str:
    """The value that :func:`neutralise_cell` made ``text`` from; any other text as it is."""
    if text.startswith(_TEXT_MARK) and text[1:].startswith(_MARKED_STARTS):
        return text[1:]
    return text


class SafeCsvWriter:
    """A ``csv.writer`` on ``out`` that quotes every cell and neutralises formulas in it."""

    def __init__(self, out: TextIO):
        self._writer = csv.writer(out, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[object]) -> None:
        """Write one row."""
        self._writer.writerow([neutralise_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write every row of ``rows``."""
        for row in rows:
            self.writerow(row)
