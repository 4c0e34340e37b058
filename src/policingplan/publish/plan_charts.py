"""The plan's charts, as Vega-Altair specifications with their text alternatives.

Rendered to SVG with :func:`policingplan.publish.charts.to_svg`, so that a web
page and a PDF show the same chart; each takes a service's result (plain
values), never reads data itself, and says in words what it shows.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from policingplan.publish.charts import FONT, PALETTE
from policingplan.publish.text import typeset
from policingplan.plan.describe import percent

#: The colour of a requirement line (a government requirement, not the plan's own target).
REQUIRED_COLOUR = "#d4351c"


def requirement_rows(requirement: Any) -> list[dict]:
    """The requirement's path as rows: the baseline year, each outturn, and the plan year projected."""
    rows = [{"period": requirement.baseline_period, "change": 0.0, "kind": "baseline"}]
    if requirement.latest_change is not None:
        rows.append({"period": _latest_period(requirement), "change": requirement.latest_change, "kind": "outturn"})
    rows.append({"period": requirement.deadline_period, "change": requirement.projected_change,
                 "kind": "projected with the plan's target"})
    return rows


def _latest_period(requirement: Any) -> str:
    for notice in requirement.notes:
        if notice.code == "targets.requirement-outturn" and notice.values.get("period"):
            return str(notice.values["period"])
    return "latest"


def requirement_chart(requirement: Any, font: str = FONT) -> alt.LayerChart:
    """The requirement (PSA1) position: the cumulative change from the baseline year reached so far,
    the change projected with the plan's target, and the change required by the deadline (a line).

    ``requirement`` is a :class:`policingplan.services.targets.PlanRequirementResult`."""
    rows = requirement_rows(requirement)
    for row in rows:
        row["label"] = typeset(percent(row["change"], signed=True)) if row["change"] else ""
    kinds = [row["kind"] for row in rows]
    data = alt.Data(values=rows)
    low = min(requirement.required_change, min(r["change"] for r in rows)) * 1.15
    y = alt.Y("change:Q", title="change on " + requirement.baseline_period, scale=alt.Scale(domain=[low, 0]),
              axis=alt.Axis(format="%", grid=True, gridColor="#e6e6e6"))
    x = alt.X("period:N", title=None, sort=[r["period"] for r in rows], axis=alt.Axis(labelAngle=0))
    colour = alt.Color("kind:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=400),
                       scale=alt.Scale(domain=kinds, range=["#b1b4b6", PALETTE[0], PALETTE[5]]))
    bars = alt.Chart(data).mark_bar(width=64).encode(x=x, y=y, color=colour)
    labels = alt.Chart(data).mark_text(dy=-12, fontSize=13, fontWeight="bold", color="white").encode(x=x, y=y, text="label:N")
    required = [{"change": requirement.required_change,
                 "text": f"required by {requirement.deadline_period}: "
                         f"{typeset(percent(requirement.required_change, signed=True))}"}]
    rule = alt.Chart(alt.Data(values=required)).mark_rule(color=REQUIRED_COLOUR, strokeWidth=2,
                                                          strokeDash=[8, 4]).encode(y="change:Q")
    rule_text = alt.Chart(alt.Data(values=required)).mark_text(
        color=REQUIRED_COLOUR, align="right", dy=14, fontSize=12, fontWeight="bold").encode(
        y="change:Q", x=alt.value(440), text="text:N")
    return alt.layer(bars, labels, rule, rule_text).properties(
        width=440, height=260, title=requirement.name, description=requirement_description(requirement),
    ).configure(font=font).configure_view(stroke=None).configure_title(fontSize=14, anchor="start").configure_axis(
        labelFontSize=12, titleFontSize=12, labelColor="#0b0c0c")


def requirement_description(requirement: Any) -> str:
    """The requirement chart in words: its text alternative."""
    reached = ""
    if requirement.latest_change:
        reached = (f"By {_latest_period(requirement)} the change was "
                   f"{typeset(percent(requirement.latest_change, signed=True))}; ")
    verdict = "meets" if requirement.meets else "does not meet"
    return (f"{requirement.name}: a bar chart of the cumulative change from {requirement.baseline_period}. "
            f"{reached}with the plan's target of {typeset(percent(requirement.planned_change, signed=True))} in "
            f"{requirement.deadline_period} the projection is "
            f"{typeset(percent(requirement.projected_change, signed=True))}, against "
            f"{typeset(percent(requirement.required_change, signed=True))} required: the plan {verdict} "
            f"the requirement.")


def unit_targets_chart(check: Any, font: str = FONT) -> alt.Chart:
    """Each unit's target change, with the corporate figure as a line.

    ``check`` is a :class:`policingplan.services.targets.PlanTargetsCheck`."""
    rows = [{"unit": u.name or u.unit, "change": u.change} for u in check.units]
    corporate = [{"change": check.corporate.change}]
    x = alt.X("change:Q", title=f"target change on the baseline", axis=alt.Axis(format="%", grid=True,
                                                                               gridColor="#e6e6e6"))
    y = alt.Y("unit:N", title=None, sort=alt.EncodingSortField(field="change", order="ascending"))
    bars = alt.Chart(alt.Data(values=rows)).mark_bar(color=PALETTE[0], height=9).encode(x=x, y=y)
    line = alt.Chart(alt.Data(values=corporate)).mark_rule(color=REQUIRED_COLOUR, strokeWidth=1.5,
                                                           strokeDash=[6, 3]).encode(x="change:Q")
    return alt.layer(bars, line).properties(
        width=380, height=14 * len(rows), title=f"{check.measure_name}: each unit's target",
        description=unit_targets_description(check),
    ).configure(font=font).configure_view(stroke=None).configure_title(fontSize=14, anchor="start").configure_axis(
        labelFontSize=10, titleFontSize=11, labelColor="#0b0c0c")


def unit_targets_description(check: Any) -> str:
    """The unit targets chart in words: its text alternative."""
    ordered = sorted(check.units, key=lambda u: u.change)
    most, least = ordered[0], ordered[-1]
    return (f"{check.measure_name}: a bar chart of each of the {len(ordered)} units' target change in "
            f"{check.period}, from {typeset(percent(most.change, signed=True))} ({most.name or most.unit}) to "
            f"{typeset(percent(least.change, signed=True))} ({least.name or least.unit}), with the corporate "
            f"figure of {typeset(percent(check.corporate.change, signed=True))} as a dashed line; the table "
            "in the appendix gives every unit's figures.")


__all__ = ["requirement_chart", "requirement_description", "requirement_rows", "unit_targets_chart",
           "unit_targets_description"]
