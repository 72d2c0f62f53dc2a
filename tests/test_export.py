"""CSV exports neutralise spreadsheet formulas and keep numbers as numbers."""

from __future__ import annotations

import io

import pandas as pd

from dashboard.export import neutralise_formulas, to_csv_bytes


def test_formula_cells_are_neutralised_and_numbers_kept():
    frame = pd.DataFrame(
        {
            "customer_name": ["=HYPERLINK(\"http://x\")", "+1 555", "-oops", "@SUM(A1)", "Acme"],
            "net_margin": [-0.12, 0.3, -5.0, 0.0, 1.5],
        }
    )

    safe = neutralise_formulas(frame)

    assert safe["customer_name"].tolist() == [
        "'=HYPERLINK(\"http://x\")", "'+1 555", "'-oops", "'@SUM(A1)", "Acme",
    ]
    assert safe["net_margin"].tolist() == [-0.12, 0.3, -5.0, 0.0, 1.5]
    assert frame["customer_name"][0].startswith("=")  # the page's own frame is untouched


def test_the_csv_reads_back_with_the_same_rows():
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "revenue": [10.5, -2.0]})

    parsed = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))

    assert parsed.to_dict("list") == {"customer_id": ["C1", "C2"], "revenue": [10.5, -2.0]}
