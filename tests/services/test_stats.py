"""The statistics service (``policingplan.services.stats``) and its pure input parser
(``policingplan.stats.series_input``): every problem of a file, each with its file, line,
column, value and what is accepted; charts and forecasts with the core's figures, on the
London data and the NHSRplotthedots reference cases; warnings as coded notices."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from policingplan.attribution import attribution
from policingplan.data.files import open_text
from policingplan.periods import FinancialYear, Month
from policingplan.problems import UserError
from policingplan.results import Notice
from policingplan.services import stats as service
from policingplan.stats.forecast import forecast_year_end_many
from policingplan.stats.series_input import (
    ACCEPTED_VALUE, PROBLEMS_SHOWN, parse_forecast_input, parse_spc_input,
)
from policingplan.stats.spc import spc

MONTHLY_FILE = "mps-recorded-crime-borough-monthly_2010-04_2024-02.csv.gz"
COUNT = "a count of zero or more, or an empty cell for a missing month"


@pytest.fixture(scope="module")
def burglary(london_dir) -> dict[str, dict[str, float]]:
    """Each borough's monthly burglaries, April 2010 to February 2024 (minor categories summed)."""
    with open_text(london_dir / MONTHLY_FILE) as handle:
        rows = [r for r in csv.DictReader(handle) if r["majortext"] == "BURGLARY"]
    months = [key for key in rows[0] if key.isdigit()]
    found: dict[str, dict[str, float]] = {}
    for row in rows:
        series = found.setdefault(row["boroughname"], {})
        for m in months:
            series[f"{m[:4]}-{m[4:]}"] = series.get(f"{m[:4]}-{m[4:]}", 0.0) + int(row[m])
    return found


def located(problems) -> list[tuple]:
    return [(p.file, p.line, p.column, p.value, p.accepted) for p in problems]


# ---------------------------------------------------------------- the parser: every problem


def test_an_spc_file_with_several_mistakes_gives_every_one():
    text = "month,y\n2024-01,1\n2024-02,abc\n2024-03,2\n2024-04,inf\n2024-05,\n2024-06,5\n2024-07,lots\n"
    parsed = parse_spc_input(text, "upload.csv")
    assert parsed.series is None and not parsed.ok
    assert [p.message for p in parsed.problems] == ["not a number"] * 3
    assert located(parsed.problems) == [
        ("upload.csv", 3, "y", "abc", ACCEPTED_VALUE),
        ("upload.csv", 5, "y", "inf", ACCEPTED_VALUE),
        ("upload.csv", 8, "y", "lots", ACCEPTED_VALUE),
    ]
    with pytest.raises(UserError) as caught:
        service.spc_input_from_text(text, "upload.csv")
    assert caught.value.problems == parsed.problems.errors
    assert str(caught.value).endswith("(and 2 more problems)")


def test_a_forecast_file_with_several_mistakes_gives_every_one():
    text = ("series,month,value,target\n"
            "A,2017-04,300,\n"
            "A,2017-13,3,\n"       # line 3: not a month
            "A,2017-05,-1,\n"      # line 4: a negative count
            "A,2017-06,x,5\n"      # line 5: not a number
            "A,2017-07,4,6\n"      # line 6: a second target
            "B,2017-04,1\n"        # line 7: a short row
            "A,2017-04,2,\n")      # line 8: April again
    parsed = parse_forecast_input(text, "upload.csv")
    assert parsed.series is None
    assert [p.message for p in parsed.problems] == [
        "not a month", "not an accepted number", "not an accepted number",
        "a second target for series 'A' (line 5 has 5.0)", "the row has 3 cells, the header 4",
        "month 2017-04 appears twice for series 'A'",
    ]
    assert located(parsed.problems) == [
        ("upload.csv", 3, "month", "2017-13", "YYYY-MM with a month from 01 to 12, for example 2024-04"),
        ("upload.csv", 4, "value", "-1", COUNT),
        ("upload.csv", 5, "value", "x", COUNT),
        ("upload.csv", 6, "target", "6", "one target per series"),
        ("upload.csv", 7, None, None, "columns month (YYYY-MM) and value, optionally series, target and group; "
                                      "or the file measures --csv writes"),
        ("upload.csv", 8, "month", "2017-04", "one row per series and month"),
    ]


def test_many_mistakes_of_one_kind_are_listed_up_to_a_limit_and_counted():
    text = "y\n" + "\n".join(["oops"] * (PROBLEMS_SHOWN + 12)) + "\n"
    problems = parse_spc_input(text, "big.csv").problems
    assert len(problems) == PROBLEMS_SHOWN + 1
    assert problems.items[-1].message == "12 more line(s) with the same problem: not a number"
    assert problems.items[PROBLEMS_SHOWN - 1].line == PROBLEMS_SHOWN + 1


@pytest.mark.parametrize(
    "data, message, line",
    [
        (b"y\n1\n\xe9t\xe9\n", "the file is not UTF-8 text", 3),
        ("", "the file has no header row", 1),
        ("month;y\n2024-01;3\n", "there is no column 'y': the header looks separated by ';', not by commas", 1),
        ("y\n1\n" + "9" * 200_000 + "\n", "not a valid CSV file: field larger than field limit (131072)", 3),
    ],
)
def test_a_mistake_that_hides_the_rest_of_the_file_is_reported_alone(data, message, line):
    problems = parse_spc_input(data, "bad.csv").problems
    assert [(p.message, p.line, p.file) for p in problems] == [(message, line, "bad.csv")]


def test_bytes_with_a_byte_order_mark_are_read_past():
    assert parse_spc_input(b"\xef\xbb\xbfy\n1\n2\n6\n", "excel.csv").series.values == [1.0, 2.0, 6.0]
    assert parse_forecast_input("\ufeffmonth,value\n2017-04,3\n", "excel.csv").series.histories == {
        None: {Month("2017-04"): 3.0}}


def test_the_file_measures_csv_writes_is_read_as_it_is():
    header = "measure,unit,month,period_kind,numerator,denominator,value,source\n"
    counts = "".join(f"crime,E09000033,2023-{m:02d},month,{100 + m},,{100 + m},mps-borough-monthly\n"
                     for m in range(4, 10))
    rates = "".join(f"rate,force,2023-{m:02d},month,{m},{10 * m},{0.1},mps-borough-monthly\n" for m in range(4, 10))
    spc_input = parse_spc_input(header + counts, "measures.csv").series
    assert spc_input.column == "value" and spc_input.values == [float(100 + m) for m in range(4, 10)]
    assert spc_input.kinds == ["mps-borough-monthly"]
    several = parse_spc_input(header + counts + rates, "measures.csv").problems
    assert [p.message for p in several] == ["the file holds 2 series (crime E09000033, rate force); spc charts one"]
    forecast_input = parse_forecast_input(header + counts + rates, "measures.csv").series
    assert list(forecast_input.histories) == ["crime E09000033"] and list(forecast_input.ratios) == ["rate force"]
    numerators, denominators = forecast_input.ratios["rate force"]
    assert numerators[Month("2023-05")] == 5.0 and denominators[Month("2023-05")] == 50.0
    assert forecast_input.kinds == ["mps-borough-monthly"]


def test_a_file_that_cannot_be_read_is_a_user_error(tmp_path):
    with pytest.raises(UserError) as caught:
        service.read_spc_input(tmp_path / "absent.csv")
    (problem,) = caught.value.problems
    assert problem.file == str(tmp_path / "absent.csv") and problem.message.startswith("cannot read the file")


# ---------------------------------------------------------------- SPC: the core's figures


def test_the_chart_of_a_london_series_has_the_cores_figures(burglary, tmp_path):
    westminster = {m: v for m, v in burglary["Westminster"].items() if m >= "2019-04"}
    path = tmp_path / "westminster.csv"
    path.write_text("month,y\n" + "".join(f"{m},{v:g}\n" for m, v in westminster.items()))
    series = service.read_spc_input(path)
    chart = service.spc_chart(series, direction="decrease", target=150, rebase_at=[13])
    core = spc(list(westminster.values()), direction="decrease", target=150, rebase_at=[13])
    assert len(chart.points) == len(core.points) == len(westminster)
    for point, expected in zip(chart.points, core.points):
        assert (point.index, point.y, point.mean, point.lpl, point.upl, point.point_type, point.group, point.rule) == (
            expected.index, expected.y, expected.mean, expected.lpl, expected.upl, expected.point_type,
            expected.group, expected.rule)
    assert (chart.variation, chart.assurance, chart.warnings) == (core.variation, core.assurance, core.warnings)
    assert [w.code for w in chart.warnings] == ["spc.trial-limits"]
    data = chart.model_dump(mode="json")
    assert list(data) == ["points", "variation", "assurance", "warnings"]  # no attribution for one's own file
    assert list(data["points"][0]) == ["index", "y", "mean", "lpl", "upl", "point_type"]


def _reference_cases(reference_dir: Path) -> dict[str, tuple[dict, list[dict]]]:
    with open(reference_dir / "spc" / "meta.csv", newline="", encoding="utf-8") as handle:
        meta = {row["fixture"]: row for row in csv.DictReader(handle)}
    points: dict[str, list[dict]] = {}
    with open(reference_dir / "spc" / "points.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            points.setdefault(row["fixture"], []).append(row)
    return {name: (row, sorted(points[name], key=lambda r: int(r["index"]))) for name, row in meta.items()}


def test_the_service_reproduces_every_reference_case_from_the_text_of_a_file(reference_dir):
    cases = _reference_cases(reference_dir)
    assert len(cases) == 8
    for name, (meta, rows) in cases.items():
        text = "y\n" + "".join(f"{r['y']}\n" for r in rows)
        na = {key: (None if value == "NA" else value) for key, value in meta.items()}
        chart = service.spc_chart(
            service.spc_input_from_text(text, f"{name}.csv"),
            direction=meta["improvement_direction"],
            target=None if na["target"] is None else float(na["target"]),
            rebase_at=() if na["rebase_at_index"] is None else (int(na["rebase_at_index"]),),
            fix_after=None if na["fix_after_n_points"] is None else int(na["fix_after_n_points"]),
            screen=meta["screen_outliers"] == "TRUE",
        )
        for point, row in zip(chart.points, rows, strict=True):
            for field in ("mean", "lpl", "upl"):
                assert abs(getattr(point, field) - float(row[field])) <= 1e-9, (name, row["index"], field)
            assert point.point_type == row["point_type"], (name, row["index"])
            assert point.group == int(row["rebase_group"]) + 1
        assert chart.assurance == na["assurance_type"] and chart.variation == meta["variation_point_type_last"]


def test_a_rebase_outside_the_series_names_every_bad_point_and_the_field():
    with pytest.raises(UserError) as caught:
        service.spc_chart([1.0, 2.0, 3.0], rebase_at=[9, 2, 1], fields={"rebase_at": "--rebase-at"})
    assert [(p.column, p.value, p.accepted) for p in caught.value.problems] == [
        ("--rebase-at", "9", "a 1-based point number from 2 to 3"),
        ("--rebase-at", "1", "a 1-based point number from 2 to 3"),
    ]


def test_the_side_of_a_signal_is_decided_by_the_service():
    values = [10.0, 12.0] * 10 + [40.0]
    up = service.spc_chart(values, direction="increase").points[-1]
    down = service.spc_chart(values, direction="decrease").points[-1]
    assert (up.point_type, up.rule, up.side) == ("special_cause_improvement", "outside_limits", "high")
    assert (down.point_type, down.side) == ("special_cause_concern", "high")
    assert service.spc_chart(values).latest == 21


# ---------------------------------------------------------------- notices: codes and values


def test_spc_notices_carry_codes_and_values():
    chart = service.spc_chart(service.spc_input_from_text(
        "month,y\n2024-01,10\n2024-02,11\n2024-04,12\n2024-05,11\n2024-07,9\n2024-08,\n", "gaps.csv"), target=5)
    assert [w.code for w in chart.warnings] == ["spc.trial-limits", "spc.last-point-missing",
                                                "spc.months-not-consecutive"]
    trial, missing, months = chart.warnings
    assert trial.values == {"group": 1, "span": "points 1–6", "first": 1, "last": 6, "size": 6,
                            "size_noun": "points", "minimum": 13}
    assert str(missing) == "The last point (6) is missing; the variation icon describes point 5."
    assert months.values == {"gaps": "2024-02–2024-04, 2024-05–2024-07", "count": 2}
    assert str(months) == ("the months are not consecutive (2024-02–2024-04, 2024-05–2024-07): the chart takes the "
                           "rows in file order, so a month with no row is not on it")
    assert str(months.within("SPC")) == "SPC: " + str(months)
    assert chart.model_dump(mode="json")["warnings"][1] == {
        "code": "spc.last-point-missing", "values": {"last": 6, "described": 5},
        "text": "The last point (6) is missing; the variation icon describes point 5.", "about": None}
    no_limits = service.spc_chart([None, 4.0, None], target=3)
    assert [w.code for w in no_limits.warnings] == ["spc.trial-limits", "spc.no-limits", "spc.last-point-missing",
                                                    "spc.no-assurance"]


def test_forecast_notices_carry_codes_and_values(burglary):
    camden = dict(burglary["Camden"])
    camden["2017-07"] = None
    (result,) = forecast_year_end_many({"Camden": camden}, "2017/18", "2017-09")
    (missing,) = [w for w in result.warnings if w.code == "forecast.months-missing"]
    assert isinstance(missing, Notice) and missing.values == {"count": 1, "months": "2017-07"}
    text = "month,value\n" + "".join(f"{m},{v:g}\n" for m, v in list(burglary["Sutton"].items())[:20])
    found = service.forecast_input_from_text(text, "sutton.csv")
    (short,) = service.year_end_forecasts(found, "2011/12", "2011-09").forecasts
    assert [w.code for w in short.warnings] == ["forecast.too-little-history"]
    assert short.warnings[0].values == {"months": 18, "as_of": "2011-09", "as_of_label": "September 2011",
                                        "errors": 1, "min_months": 24, "min_errors": 6}
    assert "18 months up to September 2011 and 1 past forecast errors" in str(short.warnings[0])


# ---------------------------------------------------------------- forecasts: the core's figures


def test_the_forecasts_of_a_london_file_have_the_cores_figures(burglary, tmp_path):
    lines = ["series,month,value,target,group"]
    for borough, target in (("Camden", "2600"), ("Barnet", ""), ("Hackney", "")):
        lines += [f"{borough},{m},{v:g},{target},burglary" for m, v in burglary[borough].items()]
    path = tmp_path / "burglary.csv"
    path.write_text("\n".join(lines) + "\n")
    result = service.year_end_forecasts_from_path(path, "2017/18", "2017-09", target=3900)
    histories = {b: burglary[b] for b in ("Camden", "Barnet", "Hackney")}
    core = forecast_year_end_many(histories, FinancialYear("2017/18"), Month("2017-09"),
                                  {"Camden": 2600.0, "Barnet": 3900, "Hackney": 3900},
                                  groups=dict.fromkeys(histories, "burglary"))
    assert [f.series for f in result.forecasts] == ["Camden", "Barnet", "Hackney"]
    for forecast, expected in zip(result.forecasts, core, strict=True):
        assert (forecast.year_to_date, forecast.forecast_total, forecast.interval_80, forecast.interval_95,
                forecast.p_meet_target, forecast.method, forecast.warnings, forecast.target) == (
            expected.year_to_date, expected.forecast_total, expected.interval_80, expected.interval_95,
            expected.p_meet_target, expected.method, expected.warnings, expected.target)
        data = forecast.model_dump(mode="json")
        assert list(data) == ["series", "year", "as_of", "year_to_date", "forecast_total", "interval_80",
                              "interval_95", "p_meet_target", "method", "warnings"]
        assert data["forecast_total"] == round(expected.forecast_total, 4)
        assert data["interval_95"] == [round(v, 4) for v in expected.interval_95]
    assert (result.year, result.as_of, result.method, result.other_methods) == ("2017/18", "2017-09",
                                                                                 "seasonal_level", {})


def test_a_ratio_series_is_forecast_as_its_rate_and_carries_the_attribution():
    header = "measure,unit,month,period_kind,numerator,denominator,value,source\n"
    rows = "".join(f"rate,force,{Month('2020-04') + i},month,{20 + i % 5},{100 + i % 7},,mps-borough-monthly\n"
                   for i in range(42))
    result = service.year_end_forecasts(service.forecast_input_from_text(header + rows, "rate.csv"),
                                        "2023/24", "2023-09", target=0.2, polarity="higher")
    (forecast,) = result.forecasts
    assert forecast.rate and forecast.series == "force"
    assert 0 < forecast.interval_95[0] <= forecast.forecast_total <= forecast.interval_95[1] < 1
    assert forecast.model_dump(mode="json")["attribution"] == attribution(["mps-borough-monthly"])
    assert result.sources == ["mps-borough-monthly"]


@pytest.mark.parametrize(
    "year, as_of, field, value",
    [("2024/26", "2024-09", "--year", "2024/26"), ("2024/25", "2024-13", "--as-of", "2024-13"),
     ("2024/25", "2025-04", "--as-of", "2025-04")],
)
def test_the_period_is_checked_naming_the_field(year, as_of, field, value):
    with pytest.raises(UserError) as caught:
        service.forecast_period(year, as_of, {"year": "--year", "as_of": "--as-of"})
    (problem,) = caught.value.problems
    assert (problem.column, problem.value) == (field, value)


def test_every_result_model_is_listed():
    assert service.RESULTS == (service.SpcChart, service.YearEndForecasts)
