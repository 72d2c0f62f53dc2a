"""CSV exports that are safe to open in a spreadsheet.

Every table on the dashboard has an "Export CSV" button under it (`download_button`), the one way
to download a table. The download in a table's own toolbar is switched off for the whole app
(`client.disableDataExport` in dashboard/.streamlit/config.toml): it writes each cell as it is, so a
customer named "=HYPERLINK(...)" would run as a formula in Excel, and Streamlit offers neither a
switch per table nor a way to clean what it writes. A sales leader gets one button per table, a
file named after what it holds, readable column names, and names shown as they are in the table.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

# Excel, LibreOffice and Google Sheets run a cell as a formula when its first character other than
# a space is one of these, and read a cell starting with a tab, a carriage return or a NUL as one
# too (OWASP, CSV Injection; ASVS 1.2.10): a single quote in front keeps such a cell text.
_FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL_STARTS = ("\t", "\r", "\0")


def formula_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, with a single quote in front:
    '=1+1' -> "'=1+1", ' =4+4' -> "' =4+4", '-x' -> "'-x". Any other value as it is: a name, and
    a number even when negative (-2 stays the number -2)."""
    if isinstance(value, str) and (
        value.startswith(_CONTROL_STARTS) or value.lstrip().startswith(_FORMULA_STARTS)
    ):
        return "'" + value
    return value


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell is `formula_safe`; numbers (a negative margin) stay numbers."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(formula_safe)
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8")


def export_frame(
    frame: pd.DataFrame,
    columns: Mapping[str, str] | None = None,
    digits: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """What an export holds: `columns` (column -> the header the reader sees; all columns when
    None), each in `digits` rounded to that many decimals (a whole amount: 0)."""
    chosen = frame if columns is None else frame[list(columns)]
    rounded = chosen.copy()
    for column, places in (digits or {}).items():
        if column in rounded:
            rounded[column] = pd.to_numeric(rounded[column], errors="coerce").round(places)
    return rounded.rename(columns=dict(columns or {}))


def download_button(
    frame: pd.DataFrame,
    file_name: str,
    label: str = "Export CSV",
    *,
    columns: Mapping[str, str] | None = None,
    digits: Mapping[str, int] | None = None,
) -> None:
    """The table's "Export CSV" button: `frame` (its `columns` under their headers, figures
    rounded per `digits`: see export_frame), formula-safe. Tables drawn by
    dashboard.ui.show_table get theirs from it, with the headers shown and rounded figures.

    The file is written when the reader clicks, not on every render of the page: at 100,000
    customers writing a page's CSVs took a tenth of its time, for files seldom asked for."""
    st.download_button(
        label,
        data=lambda: to_csv_bytes(export_frame(frame, columns, digits)),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"export-{file_name}",
    )
