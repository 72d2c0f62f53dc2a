"""How well the warehouse picks key accounts and raises flags, measured against the generator's
ground truth (which the pipeline never reads). Used by the robustness tests and, run as a script
over built warehouses, for the tables in docs/scorecard-and-definitions.md and
docs/portfolio-matrix.md:

    python tests/selection_quality.py WAREHOUSE TRUTH_CSV [WAREHOUSE TRUTH_CSV ...]
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Each flag against the archetype it is meant to find (recall is measured on that archetype).
FLAG_ARCHETYPES: dict[str, str] = {
    "is_big_but_unprofitable": "big_unprofitable",
    "is_big_revenue_one_off": "one_off_project",
    "is_easy_sell_no_growth": "easy_sell_flat",
    "is_tomorrows_oak": "rising_oak",
}


# Archetypes a flag may also rightly raise (they count as hits for precision): a big demanding
# account that costs more to serve than it earns is big but unprofitable by DESIGN section 1 ("thin
# or negative margin after discounts and cost to serve"); the generator gives it one label only.
ALSO_RIGHT: dict[str, tuple[str, ...]] = {"is_big_but_unprofitable": ("demanding",)}


@dataclass(frozen=True)
class FlagQuality:
    flagged: int
    relevant: int      # active customers of the flag's archetype
    recalled: int      # ... of them flagged
    right_flags: int   # flagged customers of the archetype or one it may also rightly raise

    @property
    def recall(self) -> float:
        return self.recalled / self.relevant if self.relevant else float("nan")

    @property
    def precision(self) -> float:
        return self.right_flags / self.flagged if self.flagged else float("nan")


@dataclass(frozen=True)
class SelectionQuality:
    strategic_accounts: int            # K: true strategic accounts among the active customers
    top_k_strategic: dict[str, int]    # definition -> strategic accounts among its best K
    flags: dict[str, FlagQuality]

    def top_k_share(self, definition: str) -> float:
        return self.top_k_strategic[definition] / self.strategic_accounts


def measure(warehouse: Path, truth: Path) -> SelectionQuality:
    """Top-K precision of every definition's selection ranking (eligible customers first, by
    score: the order its rule picks from) and each flag's recall and precision."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        conn.execute(f"create temp table truth as select * from read_csv('{truth}')")
        strategic = conn.execute(
            """
            select count(*) from marts.customer_metrics join truth using (customer_id)
            where is_active and archetype = 'strategic'
            """
        ).fetchone()[0]
        top_k = dict(conn.execute(
            """
            with ranked as (
                select definition_name, archetype, row_number() over (
                    partition by definition_name
                    order by excluded_by_gate is not null, score desc nulls last, customer_id
                ) as selection_rank
                from marts.key_account_scorecard join truth using (customer_id)
            )
            select definition_name, count(*) filter (where archetype = 'strategic')
            from ranked where selection_rank <= ? group by definition_name
            """,
            [strategic],
        ).fetchall())
        flags = {}
        for flag, archetype in FLAG_ARCHETYPES.items():
            right = [archetype, *ALSO_RIGHT.get(flag, ())]
            flagged, relevant, recalled, right_flags = conn.execute(
                f"""
                select count(*) filter (where {flag}),
                       count(*) filter (where archetype = ? and is_active),
                       count(*) filter (where {flag} and archetype = ?),
                       count(*) filter (where {flag} and list_contains(?, archetype))
                from marts.customer_metrics join truth using (customer_id)
                """,
                [archetype, archetype, right],
            ).fetchone()
            flags[flag] = FlagQuality(flagged, relevant, recalled, right_flags)
    return SelectionQuality(strategic, top_k, flags)


# Where each archetype belongs on the portfolio matrix (issue 16): the quadrant whose treatment the
# field prescribes for it. The other archetypes have no single home (a big unprofitable account is
# strong but may or may not be attractive) and are not judged.
MATRIX_HOMES: dict[str, str] = {
    "strategic": "invest_for_growth",
    "rising_oak": "invest_selectively",
    "easy_sell_flat": "maintain",
    "long_tail": "streamline",
}
# The share of each archetype's active customers the matrix must put there: a majority, on every
# world (docs/portfolio-matrix.md has the figures each reaches).
MATRIX_HOME_BARS: dict[str, float] = dict.fromkeys(MATRIX_HOMES, 0.5)


def matrix_homes(warehouse: Path, truth: Path, axes_name: str = "standard") -> dict[str, float]:
    """Per archetype of MATRIX_HOMES, the share of its active customers that the portfolio matrix
    puts in its home quadrant at the latest quarter-end; an empty dict when the matrix has no
    quarter-end (less than a year of history)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        conn.execute(f"create temp table truth as select * from read_csv('{truth}')")
        conn.execute("create temp table homes (archetype varchar, quadrant varchar)")
        conn.executemany("insert into homes values (?, ?)", list(MATRIX_HOMES.items()))
        return dict(conn.execute(
            """
            select truth.archetype, avg(case when matrix.quadrant = homes.quadrant then 1.0 else 0.0 end)
            from marts.portfolio_matrix as matrix
            join truth using (customer_id)
            join homes using (archetype)
            where matrix.axes_name = ?
              and matrix.quarter_end = (select max(quarter_end) from marts.portfolio_matrix)
            group by truth.archetype
            """,
            [axes_name],
        ).fetchall())


def planned_strategic_accounts(warehouse: Path, truth: Path, axes_name: str = "standard") -> tuple[int, int]:
    """(strategic accounts with a plan running past the matrix's latest quarter-end, those of them
    whose plan, met, ends in invest for growth): the plans the generator gives its strategic
    accounts grow them where they are strong."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(
            """
            select count(*), count(*) filter (where forecast.forecast_quadrant = 'invest_for_growth')
            from marts.portfolio_matrix_forecast as forecast
            inner join read_csv(?) as truth using (customer_id)
            where forecast.axes_name = ? and truth.archetype = 'strategic'
            """,
            [str(truth), axes_name],
        ).fetchone()


def main(arguments: list[str]) -> None:
    print("| warehouse | K | balanced top-K | revenue top-K |"
          + "".join(f" {flag[3:]} recall / precision |" for flag in FLAG_ARCHETYPES))
    for warehouse, truth in zip(arguments[::2], arguments[1::2]):
        quality = measure(Path(warehouse), Path(truth))
        cells = [Path(warehouse).parent.name, str(quality.strategic_accounts),
                 f"{quality.top_k_share('balanced'):.0%}", f"{quality.top_k_share('the_big_ones'):.0%}"]
        cells += [f"{f.recall:.0%} / {f.precision:.0%}" for f in quality.flags.values()]
        print("| " + " | ".join(cells) + " |")
    print("\n| warehouse |" + "".join(f" {archetype} in {home} |" for archetype, home in MATRIX_HOMES.items()))
    for warehouse, truth in zip(arguments[::2], arguments[1::2]):
        homes = matrix_homes(Path(warehouse), Path(truth))
        print(f"| {Path(warehouse).parent.name} |"
              + "".join(f" {homes[archetype]:.0%} |" if archetype in homes else " no quarter-end |"
                        for archetype in MATRIX_HOMES))


if __name__ == "__main__":
    main(sys.argv[1:])
