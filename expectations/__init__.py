"""Great Expectations suites for the raw input tables, and running them inside DuckDB-sized budgets.

`suites` says what is checked (reviewed like code), `settings` holds the bounds, `validate` runs a
suite on a raw table and `report` renders one HTML page per run (see ../docs/data-quality.md).
"""
