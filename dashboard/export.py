"""CSV exports that are safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd
import streamlit as st

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets
# (CSV formula injection): a customer name like "=HYPERLINK(...)" must stay text.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that a spreadsheet would run as a formula starts with a
    single quote; numbers (a negative margin) stay numbers."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            text = safe[column]
            risky = text.map(lambda value: isinstance(value, str) and value.startswith(_FORMULA_PREFIXES))
            safe[column] = text.where(~risky, "'" + text.astype(str))
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return neutralise_formulas(frame).to_csv(index=False).encode("utf-8")


def download_button(frame: pd.DataFrame, file_name: str, label: str = "Export CSV") -> None:
    st.download_button(
        label,
        data=to_csv_bytes(frame),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        key=f"export-{file_name}",
    )
