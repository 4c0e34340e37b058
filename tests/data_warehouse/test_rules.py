"""Counting rules: Ibis on DuckDB gives the numbers a plain polars computation gives; bad rules are named."""

from __future__ import annotations

import ibis
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policingplan.data.readers import read_source
from policingplan.data.rules import compile_rule, validate_rule
from policingplan.plan.model import Measure

from .conftest import DASHBOARD, MPS_MONTHLY, TFL_2019, count_measure, ratio_measure

KEYS = ["unit", "period", "period_kind"]


def _by_ibis(measure: Measure, table: pa.Table) -> dict[tuple, tuple]:
    con = ibis.duckdb.connect()
    rows = compile_rule(measure, con.create_table("records", table)).to_pyarrow().to_pylist()
    con.disconnect()
    return {(r["unit"], r["period"]): (r["numerator"], r["denominator"]) for r in rows}


def _matches(frame: pl.DataFrame, flt: dict) -> pl.Series:
    mask = pl.Series([True] * frame.height)
    for attr, values in flt.items():
        mask &= frame[attr].is_in(values)
    return mask


def _by_polars(measure: Measure, table: pa.Table) -> dict[tuple, tuple]:
    """The same counting written plainly: group the records, sum the counts that match."""
    frame = pl.from_arrow(table)
    rule = measure.rule
    if rule.count is not None:
        parts = {"numerator": rule.count}
    else:
        parts = {"numerator": rule.numerator, "denominator": rule.denominator}
    frame = frame.with_columns(**{
        role: pl.when(_matches(frame, flt)).then(pl.col("count")).otherwise(0) for role, flt in parts.items()
    })
    grouped = frame.group_by(KEYS).agg([pl.col(role).sum() for role in parts])
    return {
        (row["unit"], row["period"]): (float(row["numerator"]),
                                       float(row["denominator"]) if "denominator" in row else None)
        for row in grouped.iter_rows(named=True)
    }


@pytest.fixture(scope="module")
def monthly_table(data_dir) -> pa.Table:
    result = read_source("mps-borough-monthly", data_dir / MPS_MONTHLY)
    assert result.ok
    return result.table


@pytest.fixture(scope="module")
def dashboard_table(data_dir) -> pa.Table:
    result = read_source("mps-crime-dashboard", data_dir / DASHBOARD)
    assert result.ok
    return result.table


@pytest.fixture(scope="module")
def casualty_table(data_dir) -> pa.Table:
    result = read_source("tfl-casualties", data_dir / TFL_2019)
    assert result.ok
    return result.table


@pytest.mark.parametrize("measure", [
    count_measure("burglary", "mps-borough-monthly", {"major": ["BURGLARY"]}),
    count_measure("all_offences", "mps-borough-monthly", {}),
    count_measure("neighbourhood", "mps-borough-monthly",
                  {"minor": ["DOMESTIC BURGLARY", "ROBBERY OF PERSONAL PROPERTY", "THEFT FROM THE PERSON"]}),
    count_measure("violence_with_injury", "mps-borough-monthly",
                  {"major": ["VIOLENCE AGAINST THE PERSON"], "minor": ["VIOLENCE WITH INJURY"]}),
], ids=lambda m: m.id)
def test_ibis_and_polars_count_the_mps_monthly_file_alike(measure, monthly_table):
    by_ibis = _by_ibis(measure, monthly_table)
    assert by_ibis == _by_polars(measure, monthly_table)
    assert len(by_ibis) == len({(u, p) for u, p in zip(monthly_table["unit"].to_pylist(),
                                                     monthly_table["period"].to_pylist())})


def test_ibis_and_polars_compute_a_ratio_on_the_dashboard_alike(dashboard_table):
    knife = {"crime_type": ["Knife Crime"], "crime_subtype": ["Knife Crime"]}
    measure = ratio_measure("knife_rate", "mps-crime-dashboard",
                            dict(knife, measure=["Positive Outcomes"]), dict(knife, measure=["Offences"]))
    by_ibis = _by_ibis(measure, dashboard_table)
    assert by_ibis == _by_polars(measure, dashboard_table)
    assert any(den > 0 and num > 0 for num, den in by_ibis.values())


def test_ibis_and_polars_count_child_ksi_alike(casualty_table):
    measure = count_measure("child_ksi", "tfl-casualties", {"severity": ["fatal", "serious"], "age_group": ["child"]})
    by_ibis = _by_ibis(measure, casualty_table)
    assert by_ibis == _by_polars(measure, casualty_table)
    assert sum(num for num, _ in by_ibis.values()) == 211


_ATTRIBUTE_VALUES = ["a", "b", "c"]
_records = st.lists(
    st.tuples(st.sampled_from(["E09000001", "E09000002", "E09000033"]), st.sampled_from(["2023-04", "2023-05"]),
              st.sampled_from(_ATTRIBUTE_VALUES), st.sampled_from(_ATTRIBUTE_VALUES),
              st.integers(min_value=0, max_value=10_000)),
    min_size=1, max_size=40,
)
_filters = st.dictionaries(st.sampled_from(["major", "minor"]),
                           st.lists(st.sampled_from(_ATTRIBUTE_VALUES), min_size=1, max_size=3, unique=True),
                           max_size=2)


@settings(max_examples=60, deadline=None)
@given(records=_records, numerator=_filters, denominator=_filters)
def test_any_ratio_rule_counts_alike_in_ibis_and_polars(records, numerator, denominator):
    table = pa.table({
        "unit": [r[0] for r in records], "period": [r[1] for r in records],
        "period_kind": ["month"] * len(records), "major": [r[2] for r in records],
        "minor": [r[3] for r in records], "count": pa.array([r[4] for r in records], pa.int64()),
    })
    measure = ratio_measure("any", "mps-borough-monthly", numerator, denominator)
    assert _by_ibis(measure, table) == _by_polars(measure, table)


def test_a_rule_that_names_an_unknown_attribute_is_reported():
    measure = count_measure("ksi", "tfl-casualties", {"severty": ["fatal"]})
    (problem,) = validate_rule(measure).errors
    assert "ksi" in problem.message and problem.value == "severty"
    assert problem.column == "measures.ksi.rule.count.severty"
    assert problem.accepted == "severity, age_group, mode, casualty_class"


def test_a_rule_value_the_data_never_holds_is_reported_with_the_values_seen(casualty_table):
    measure = ratio_measure("ksi_share", "tfl-casualties", {"severity": ["Serious"]}, {})
    seen = {"severity": set(casualty_table["severity"].to_pylist())}
    (problem,) = validate_rule(measure, seen).errors
    assert problem.value == "Serious" and "ksi_share" in problem.message and "severity" in problem.message
    assert problem.accepted == "'fatal', 'serious', 'slight'"


def test_an_unknown_source_kind_is_reported():
    measure = count_measure("x", "police-uk", {})
    (problem,) = validate_rule(measure).errors
    assert problem.value == "police-uk" and "police-uk-street" in problem.accepted


def test_sum_of_chooses_a_value_column(data_dir):
    result = read_source("ons-lsoa-population", data_dir / "london/ons-population-lsoa-mid2020.csv.gz")
    assert result.ok
    children = count_measure("children", "ons-lsoa-population", {"sum_of": ["age_0_15"]})
    everyone = count_measure("residents", "ons-lsoa-population", {})
    assert validate_rule(children).ok
    total = sum(num for num, _ in _by_ibis(everyone, result.table).values())
    assert total == 9_002_488
    assert sum(num for num, _ in _by_ibis(children, result.table).values()) == sum(
        result.table["age_0_15"].to_pylist())
    wrong = count_measure("wrong", "ons-lsoa-population", {"sum_of": ["age_16_29"]})
    (problem,) = validate_rule(wrong).errors
    assert problem.accepted == "all_ages, age_0_15"
