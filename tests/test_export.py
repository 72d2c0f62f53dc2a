"""CSV exports neutralise spreadsheet formulas and keep numbers as numbers; the tables' own toolbar
download, which cannot, is switched off."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from dashboard.export import formula_safe, neutralise_formulas, to_csv_bytes

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard"


@pytest.mark.parametrize(
    "cell, exported",
    [
        ("=1+1", "'=1+1"),
        (" =4+4", "' =4+4"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-x", "'-x"),
        ("\t=1+1", "'\t=1+1"),
        ("\rAcme", "'\rAcme"),
        (-2, -2),
        (-0.12, -0.12),
        ("Strömbrook Builders N.V.", "Strömbrook Builders N.V."),
        ("O'Brien & Sons", "O'Brien & Sons"),
        ("", ""),
    ],
)
def test_a_text_cell_a_spreadsheet_would_run_gets_a_quote_in_front(cell, exported):
    assert formula_safe(cell) == exported


def test_formula_cells_are_neutralised_and_numbers_kept():
    frame = pd.DataFrame(
        {
            "customer_name": ["=HYPERLINK(\"http://x\")", "+1 555", "-oops", "@SUM(A1)", " =4+4", "Acme"],
            "net_margin": [-0.12, 0.3, -5.0, 0.0, -2.0, 1.5],
        }
    )

    safe = neutralise_formulas(frame)

    assert safe["customer_name"].tolist() == [
        "'=HYPERLINK(\"http://x\")", "'+1 555", "'-oops", "'@SUM(A1)", "' =4+4", "Acme",
    ]
    assert safe["net_margin"].tolist() == [-0.12, 0.3, -5.0, 0.0, -2.0, 1.5]
    assert frame["customer_name"][0].startswith("=")  # the page's own frame is untouched


def test_the_csv_reads_back_with_the_same_rows():
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "revenue": [10.5, -2.0]})

    parsed = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))

    assert parsed.to_dict("list") == {"customer_id": ["C1", "C2"], "revenue": [10.5, -2.0]}


def test_no_table_offers_the_toolbar_download_that_writes_cells_as_they_are():
    # Streamlit reads the .streamlit folder beside the app's main script, wherever it is started
    # from; each table keeps the app's own Export CSV button (tests/test_dashboard_landing_data.py).
    settings = tomllib.loads((DASHBOARD / ".streamlit" / "config.toml").read_text(encoding="utf-8"))

    assert settings["client"]["disableDataExport"] is True
