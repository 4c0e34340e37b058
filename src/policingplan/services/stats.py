"""The statistics service: an XmR chart of one series, and year-end forecasts of many.

Every face (the command line's ``spc`` and ``forecast``, the web application,
the published documents) gets its charts and forecasts here, so the figures
are the same everywhere.

- SPC: :func:`read_spc_input` (a file) or :func:`spc_input_from_text` (an
  upload's text), then :func:`spc_chart`, which returns a :class:`SpcChart`.
- Forecasts: :func:`year_end_forecasts_from_path` (or :func:`read_forecast_input`
  / :func:`forecast_input_from_text` then :func:`year_end_forecasts`), which
  return a :class:`YearEndForecasts`.

A user's mistake raises :class:`~policingplan.problems.UserError` with every
problem found.  The statistics (NumPy, SciPy) are imported when a function
runs, not when this module is imported.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Literal, Mapping, Sequence

from pydantic import Field, field_serializer, model_serializer

from policingplan.attribution import attribution
from policingplan.periods import FinancialYear, Month, PeriodError
from policingplan.problems import Problem, ProblemList, UserError
from policingplan.results import Notice, Result
from policingplan.stats.series_input import (
    ForecastInput, Parsed, SpcInput, parse_forecast_input, parse_spc_input,
)

if TYPE_CHECKING:
    from policingplan.stats.forecast import YearEndForecast
    from policingplan.stats.spc import SpcResult

Direction = Literal["increase", "decrease", "neutral"]
Polarity = Literal["lower", "higher"]
#: Decimal places of the forecast figures in JSON (a count's or a rate's).
FORECAST_PLACES = 4


def _drop_empty_attribution(data: dict) -> dict:
    """A user's own figures need no attribution: the key is left out, as the JSON has always done."""
    if not data.get("attribution"):
        data.pop("attribution", None)
    return data


# ---------------------------------------------------------------------------
# Reading the input tables


def _label(path: Path | str) -> str:
    return str(path)


def _problems_error(problems: ProblemList) -> UserError:
    errors = problems.errors
    first = str(errors[0]) if errors else "the file could not be read"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return UserError(f"{first}{more}", errors)


def _read_bytes(path: Path | str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise _problems_error(ProblemList([Problem(f"cannot read the file: {exc.strerror or exc}", _label(path),
                                                   accepted="a readable CSV file in UTF-8")])) from None


def _accepted(parsed: Parsed):
    if not parsed.ok:
        raise _problems_error(parsed.problems)
    return parsed.series


def spc_input_from_text(text: str | bytes, label: str, column: str | None = None) -> SpcInput:
    """The series of an SPC input table from its text (or bytes); :class:`UserError` with every problem."""
    return _accepted(parse_spc_input(text, label, column))


def read_spc_input(path: Path | str, column: str | None = None) -> SpcInput:
    """The series of an SPC input file (see :func:`~policingplan.stats.series_input.parse_spc_input`)."""
    return spc_input_from_text(_read_bytes(path), _label(path), column)


def forecast_input_from_text(text: str | bytes, label: str) -> ForecastInput:
    """The series of a forecast input table from its text (or bytes); :class:`UserError` with every problem."""
    return _accepted(parse_forecast_input(text, label))


def read_forecast_input(path: Path | str) -> ForecastInput:
    """The series of a forecast input file (see :func:`~policingplan.stats.series_input.parse_forecast_input`)."""
    return forecast_input_from_text(_read_bytes(path), _label(path))


# ---------------------------------------------------------------------------
# SPC


class SpcPointResult(Result):
    """One point of an XmR chart: its value, its group's mean and limits, and its type.

    ``group``, ``rule`` and ``side`` (which side of the mean a special cause lies, or
    which way a trend runs) are for drawing the chart and are not in the JSON.
    """

    index: int = Field(description="The point's number, from 1.")
    y: float | None = Field(description="The value; null where missing.")
    mean: float | None = Field(description="The mean of the point's group; null where not computable.")
    lpl: float | None = Field(description="The lower process limit; null where not computable.")
    upl: float | None = Field(description="The upper process limit; null where not computable.")
    point_type: str | None = Field(description="common_cause, special_cause_improvement, special_cause_concern, "
                                               "special_cause_neutral_high or special_cause_neutral_low; null where missing.")
    group: int = Field(1, exclude=True, description="The point's group (1-based; a rebase starts a new one).")
    rule: str | None = Field(None, exclude=True, description="The special-cause rule the point takes, if any.")
    side: Literal["high", "low"] | None = Field(None, exclude=True,
                                                description="Which way a special cause points; null otherwise.")


class SpcChart(Result):
    """An XmR chart (NHS Making Data Count): the points, the variation and assurance icons, and warnings."""

    points: list[SpcPointResult]
    variation: str | None = Field(description="The point type of the latest point with a value.")
    assurance: str | None = Field(description="consistent_pass, consistent_fail, inconsistent, or null.")
    warnings: list[Notice] = Field(default_factory=list)
    attribution: list[str] = Field(default_factory=list, description="Left out when the data need none.")
    latest: int | None = Field(None, exclude=True, description="The index of the latest point with a value.")
    sources: list[str] = Field(default_factory=list, exclude=True, description="The source kinds of the data.")

    @model_serializer(mode="wrap")
    def _serialise(self, handler):
        return _drop_empty_attribution(handler(self))


def _or_none(value: float) -> float | None:
    return None if value != value else value


def _side(point_type: str | None, direction: str) -> Literal["high", "low"] | None:
    if point_type is None or point_type == "common_cause":
        return None
    if point_type.endswith("_high"):
        return "high"
    if point_type.endswith("_low"):
        return "low"
    return "high" if (point_type == "special_cause_improvement") == (direction == "increase") else "low"


def spc_model(chart: "SpcResult", direction: Direction = "increase", notices: Iterable[Notice] = (),
              kinds: Sequence[str] = ()) -> SpcChart:
    """The result model of a chart that :func:`policingplan.stats.spc.spc` computed, with the input's
    notices after the chart's own and the attribution of the source kinds behind it."""
    index, y, mean, lpl, upl, _, _, group, rule, point_type = chart.columns()
    points = [
        SpcPointResult(index=i, y=v, mean=_or_none(m), lpl=_or_none(lo), upl=_or_none(hi), point_type=t, group=g,
                       rule=r, side=_side(t, direction))
        for i, v, m, lo, hi, g, r, t in zip(index, y, mean, lpl, upl, group, rule, point_type)
    ]
    latest = next((p.index for p in reversed(points) if p.point_type is not None), None)
    return SpcChart(points=points, variation=chart.variation, assurance=chart.assurance,
                    warnings=[*chart.warnings, *notices], attribution=attribution(kinds), latest=latest,
                    sources=list(kinds))


def spc_chart(
    series: SpcInput | Sequence[float | None],
    *,
    direction: Direction = "increase",
    target: float | None = None,
    rebase_at: Iterable[int] = (),
    fix_after: int | None = None,
    screen: bool = True,
    shift_length: int = 7,
    trend_length: int = 7,
    two_of_three_includes_outside: bool = False,
    fields: Mapping[str, str] | None = None,
) -> SpcChart:
    """An XmR chart of a series (parsed input, or plain values in time order).

    The options are those of :func:`policingplan.stats.spc.spc`.  ``fields`` names the
    options as the face shows them (``{"rebase_at": "--rebase-at"}`` on the command line),
    for the problems.  A rebase point outside the series raises :class:`UserError`.
    """
    from policingplan.stats.spc import spc  # numpy: when a chart is drawn

    fields = fields or {}
    values = series.values if isinstance(series, SpcInput) else list(series)
    rebase_at = list(rebase_at)
    bad = [Problem("there is no such point to rebase at", None, None, fields.get("rebase_at", "rebase_at"), str(index),
                   f"a 1-based point number from 2 to {len(values)}") for index in rebase_at
           if not 2 <= index <= len(values)]
    if bad:
        raise _problems_error(ProblemList(bad))
    try:
        chart = spc(values, direction=direction, target=target, rebase_at=rebase_at, fix_after=fix_after,
                    screen=screen, shift_length=shift_length, trend_length=trend_length,
                    two_of_three_includes_outside=two_of_three_includes_outside)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    if isinstance(series, SpcInput):
        return spc_model(chart, direction, series.notices, series.kinds)
    return spc_model(chart, direction)


# ---------------------------------------------------------------------------
# Year-end forecasts


def _rounded(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), FORECAST_PLACES)


class SeriesForecast(Result):
    """One series' year-end forecast: the total as a distribution, P(meeting the target), warnings.

    The figures are kept whole; the JSON gives them to four decimal places.  ``target``,
    ``polarity`` and ``rate`` (a ratio measure, forecast as its year rate) are not in the JSON.
    """

    series: str | None = Field(description="The series' name; null for a file of one unnamed series.")
    year: str = Field(description="The financial year, such as 2024/25.")
    as_of: str = Field(description="The last month used, YYYY-MM.")
    year_to_date: float | None
    forecast_total: float | None
    interval_80: tuple[float | None, float | None]
    interval_95: tuple[float | None, float | None]
    p_meet_target: float | None
    method: str = Field(description="seasonal_level, run_rate, year_complete or no_data (a ratio may join two).")
    warnings: list[Notice] = Field(default_factory=list)
    attribution: list[str] = Field(default_factory=list, description="Left out when the data need none.")
    target: float | None = Field(None, exclude=True)
    polarity: Polarity = Field("lower", exclude=True)
    rate: bool = Field(False, exclude=True, description="A ratio measure, forecast as its year rate.")

    @field_serializer("year_to_date", "forecast_total", "p_meet_target")
    def _round_figure(self, value: float | None) -> float | None:
        return _rounded(value)

    @field_serializer("interval_80", "interval_95")
    def _round_interval(self, value: tuple[float | None, float | None]) -> list[float | None]:
        return [_rounded(v) for v in value]

    @model_serializer(mode="wrap")
    def _serialise(self, handler):
        return _drop_empty_attribution(handler(self))


class YearEndForecasts(Result):
    """The year-end forecasts of every series of an input, with the method most of them used."""

    year: str
    as_of: str
    forecasts: list[SeriesForecast]
    method: str | None = Field(description="The method of most series.")
    other_methods: dict[str, list[str]] = Field(
        default_factory=dict, description="Each other method, with the series it was used for ('–' for unnamed).")
    attribution: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list, description="The source kinds of the data.")


def forecast_model(forecast: "YearEndForecast", kinds: Sequence[str] = (), rate: bool = False) -> SeriesForecast:
    """The result model of one series' forecast from :mod:`policingplan.stats.forecast`."""
    return SeriesForecast(
        series=forecast.series, year=forecast.year, as_of=forecast.as_of, year_to_date=forecast.year_to_date,
        forecast_total=forecast.forecast_total, interval_80=forecast.interval_80, interval_95=forecast.interval_95,
        p_meet_target=forecast.p_meet_target, method=forecast.method, warnings=list(forecast.warnings),
        attribution=attribution(kinds), target=forecast.target, polarity=forecast.polarity, rate=rate,
    )


def forecast_period(year: str | FinancialYear, as_of: str | Month,
                    fields: Mapping[str, str] | None = None) -> tuple[FinancialYear, Month]:
    """The financial year and the as-of month within it; :class:`UserError` naming the field otherwise."""
    fields = fields or {}
    year_field, as_of_field = fields.get("year", "year"), fields.get("as_of", "as_of")
    try:
        financial_year = FinancialYear(year)
    except PeriodError:
        raise _problems_error(ProblemList([Problem(
            "not a financial year", column=year_field, value=str(year),
            accepted="a financial year written YYYY/YY, for example 2024/25")])) from None
    try:
        month = Month(as_of)
    except PeriodError:
        raise _problems_error(ProblemList([Problem(
            "not a month", column=as_of_field, value=str(as_of),
            accepted="YYYY-MM with a month from 01 to 12, for example 2024-09")])) from None
    if month not in financial_year:
        raise _problems_error(ProblemList([Problem(
            f"the as-of month is not in the financial year {financial_year}", column=as_of_field, value=str(as_of),
            accepted=f"a month from {financial_year.first_month} to {financial_year.last_month}")]))
    return financial_year, month


def year_end_forecasts(
    found: ForecastInput,
    year: str | FinancialYear,
    as_of: str | Month,
    target: float | None = None,
    polarity: Polarity = "lower",
    fields: Mapping[str, str] | None = None,
) -> YearEndForecasts:
    """Forecast each series' year-end total (a ratio series' year rate) from the months up to ``as_of``.

    ``target`` applies to every series without a target of its own in the input.  Series
    that share a group are pooled (:func:`policingplan.stats.forecast.forecast_year_end_many`).
    """
    from policingplan.stats.forecast import forecast_ratio_year_end, forecast_year_end_many  # numpy, scipy

    financial_year, month = forecast_period(year, as_of, fields)
    results = []
    if found.histories:
        per_series = {name: found.targets.get(name, target) for name in found.histories}
        counts = forecast_year_end_many(found.histories, financial_year, month, per_series, polarity,
                                        groups=found.groups or None)
        results += [forecast_model(result, found.kinds) for result in counts]
    for name, (numerators, denominators) in found.ratios.items():
        ratio = forecast_ratio_year_end(numerators, denominators, financial_year, month,
                                        found.targets.get(name, target), polarity, series=name)
        results.append(forecast_model(ratio, found.kinds, rate=True))
    usual = Counter(result.method for result in results).most_common(1)[0][0] if results else None
    others: dict[str, list[str]] = {}
    for result in results:
        if result.method != usual:
            others.setdefault(result.method, []).append(result.series or "–")
    return YearEndForecasts(year=str(financial_year), as_of=str(month), forecasts=results, method=usual,
                            other_methods=others, attribution=attribution(found.kinds), sources=list(found.kinds))


def year_end_forecasts_from_path(
    path: Path | str,
    year: str | FinancialYear,
    as_of: str | Month,
    target: float | None = None,
    polarity: Polarity = "lower",
    fields: Mapping[str, str] | None = None,
) -> YearEndForecasts:
    """:func:`year_end_forecasts` of a file: the year and month are checked first, then the file."""
    forecast_period(year, as_of, fields)
    return year_end_forecasts(read_forecast_input(path), year, as_of, target, polarity, fields)


RESULTS = (SpcChart, YearEndForecasts)

__all__ = [
    "RESULTS", "SeriesForecast", "SpcChart", "SpcPointResult", "YearEndForecasts", "forecast_input_from_text",
    "forecast_model", "forecast_period", "read_forecast_input", "read_spc_input", "spc_chart",
    "spc_input_from_text", "spc_model", "year_end_forecasts", "year_end_forecasts_from_path",
]
