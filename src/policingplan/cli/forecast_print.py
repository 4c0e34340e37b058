"""How ``policingplan forecast`` shows its forecasts: one row a series, the method, the warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich import box
from rich.table import Table

from policingplan.attribution import attribution_line
from policingplan.cli.common import console, print_table
from policingplan.formatting import fmt_int, fmt_pct
from policingplan.periods import Month

if TYPE_CHECKING:
    from policingplan.services.stats import SeriesForecast, YearEndForecasts


def _interval(values: tuple[float | None, float | None]) -> str:
    return f"{fmt_int(values[0])}–{fmt_int(values[1])}"


def _chance(p: float | None) -> str:
    """A probability as a whole percentage, without rounding a real chance to 0% or 100%."""
    if p is not None and 0 < p < 0.005:
        return "<1%"
    if p is not None and 0.995 < p < 1:
        return ">99%"
    return fmt_pct(p, 0)


def _method_caption(result: YearEndForecasts) -> str:
    """The method of most series, then the series forecast otherwise (a column would crop narrow terminals)."""
    exceptions = "; ".join(f"{method} for {', '.join(names)}" for method, names in result.other_methods.items())
    return f"Method: {result.method}" + (f", except {exceptions}" if exceptions else "") + " (see docs/methods.md)"


def _figures(forecast: SeriesForecast) -> tuple[str, ...]:
    if forecast.rate:  # a ratio measure: its year rate
        return (fmt_pct(forecast.year_to_date), fmt_pct(forecast.forecast_total),
                f"{fmt_pct(forecast.interval_80[0])}–{fmt_pct(forecast.interval_80[1])}",
                f"{fmt_pct(forecast.interval_95[0])}–{fmt_pct(forecast.interval_95[1])}",
                fmt_pct(forecast.target))
    return (fmt_int(forecast.year_to_date), fmt_int(forecast.forecast_total), _interval(forecast.interval_80),
            _interval(forecast.interval_95), fmt_int(forecast.target))


def print_forecasts(result: YearEndForecasts) -> None:
    """The table of forecasts, the attribution, then each series' warnings."""
    table = Table(title=f"Year-end forecasts for {result.year}, as of {Month(result.as_of).label()}",
                  caption=_method_caption(result), box=box.SIMPLE_HEAD,
                  show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column("Series", min_width=10)
    for heading in ("To date", "Forecast", "80% range", "95% range", "Target", "P(meet)"):
        table.add_column(heading, justify="right", no_wrap=True)
    for forecast in result.forecasts:
        table.add_row(forecast.series or "–", *_figures(forecast), _chance(forecast.p_meet_target))
    print_table(table)
    footer = attribution_line(result.sources)
    if footer:
        console.print(footer, highlight=False, markup=False, soft_wrap=True)
    for forecast in result.forecasts:
        for warning in forecast.warnings:
            console.print(f"[yellow]warning[/] {forecast.series or 'series'}: {warning}", highlight=False)
