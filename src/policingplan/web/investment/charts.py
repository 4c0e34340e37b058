"""The benefits realisation chart: planned against actual over time (Vega-Altair, drawn to SVG by
:func:`policingplan.publish.charts.to_svg`), with its text alternative."""

from __future__ import annotations

from typing import Sequence

import altair as alt

from policingplan.publish.charts import to_svg
from policingplan.web.investment import present

PLANNED, ACTUAL, TARGET = "#505a5f", "#1d70b8", "#d4351c"


def description(benefit) -> str:
    """The chart in words: the planned path, each actual against the plan, and the status."""
    fmt = lambda v: present.value(v, benefit.as_percent, benefit.unit)  # noqa: E731
    sentences = [f"Benefits realisation chart: {benefit.name}, planned against actual."]
    if benefit.baseline is not None and benefit.target is not None and benefit.due is not None:
        sentences.append(f"The plan runs from {fmt(benefit.baseline)} on {present.date(benefit.baseline_date)} "
                         f"to {fmt(benefit.target)} by {present.date(benefit.due)}.")
    actuals = [p for p in benefit.realisation if p.actual is not None]
    if actuals:
        sentences.append("Actual: " + "; ".join(
            f"{present.date(p.date)}, {fmt(p.actual)}" + (f" (planned {fmt(p.planned)})" if p.planned is not None
                                                          else "") for p in actuals) + ".")
    else:
        sentences.append("No actual figure has been reported yet.")
    sentences.append(f"Status: {present.BENEFIT_STATUS[benefit.status][0].lower()}.")
    return " ".join(sentences)


def realisation_chart(benefit, width: int = 600, height: int = 260) -> alt.LayerChart:
    """Planned (a grey line) against actual (blue points joined), with the target as a dashed red line."""
    rows: list[dict] = []
    for p in benefit.realisation:
        if p.planned is not None:
            rows.append({"date": p.date.isoformat(), "value": p.planned, "series": "Planned"})
        if p.actual is not None:
            rows.append({"date": p.date.isoformat(), "value": p.actual, "series": "Actual"})
    data = alt.Data(values=rows)
    axis = alt.Axis(format=".1%") if benefit.as_percent else alt.Axis(format=",.0f")
    y = alt.Y("value:Q", title=None if benefit.as_percent else benefit.unit, axis=axis,
              scale=alt.Scale(zero=False))
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=6))
    colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=["Planned", "Actual"], range=[PLANNED, ACTUAL]),
                       legend=alt.Legend(orient="top"))
    planned = alt.Chart(data).transform_filter("datum.series === 'Planned'").mark_line(strokeWidth=2).encode(
        x=x, y=y, color=colour)
    actual = alt.Chart(data).transform_filter("datum.series === 'Actual'").mark_line(
        strokeWidth=2, point=alt.OverlayMarkDef(size=60, filled=True)).encode(x=x, y=y, color=colour)
    layers: list = [planned, actual]
    if benefit.target is not None:
        layers.append(alt.Chart(alt.Data(values=[{"target": benefit.target}])).mark_rule(
            color=TARGET, strokeDash=[6, 4]).encode(y="target:Q"))
    return alt.layer(*layers).properties(width=width, height=height, title=benefit.name,
                                         description=description(benefit)).configure(
        font="Arial").configure_axis(labelFontSize=12, grid=True, gridColor="#e5e6e7").configure_view(stroke=None)


def svg(benefit) -> tuple[str, str]:
    """The chart as SVG, and its text alternative."""
    return to_svg(realisation_chart(benefit)), description(benefit)


def table(benefit) -> Sequence[dict]:
    """The chart's data, for the table under it."""
    fmt = lambda v: present.value(v, benefit.as_percent, benefit.unit)  # noqa: E731
    return [{"date": present.date(p.date), "planned": fmt(p.planned), "actual": fmt(p.actual)}
            for p in benefit.realisation]


__all__ = ["description", "realisation_chart", "svg", "table"]
