"""Charts as Vega-Altair specifications, rendered to SVG on the server with vl-convert.

One chart serves a page that works without JavaScript and a PDF: the SVG is
made here, with a text alternative (``description``) for screen readers and
documents, and every chart's data can also be shown as a table.  Charts take
plain values (a service's result), never read data themselves.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import altair as alt

from policingplan.formatting import fmt_int, fmt_num, fmt_pct

#: Colours that keep their contrast in print and for colour-blind readers (Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
FONT = "Helvetica, Arial, sans-serif"


def reliability_chart(groups: Mapping[str, Sequence[Mapping]], title: str) -> alt.LayerChart:
    """The reliability diagram: each bin's mean P(meet) against the share met, by group.

    ``groups`` maps a label (``"normal years"``) to its bins, each a mapping
    with ``mean_probability``, ``share_met`` and ``cases`` (see
    :func:`policingplan.stats.calibration.reliability_table`).  Points on the
    diagonal are perfectly reliable; a point's area is its number of cases.
    """
    rows = [
        {"group": label, "mean_probability": b["mean_probability"], "share_met": b["share_met"], "cases": b["cases"]}
        for label, bins in groups.items() for b in bins if b["cases"]
    ]
    data = alt.Data(values=rows)
    axis = alt.Axis(format="%", values=[0, 0.2, 0.4, 0.6, 0.8, 1.0], grid=True)
    diagonal = alt.Chart(alt.Data(values=[{"x": 0, "y": 0}, {"x": 1, "y": 1}])).mark_line(
        color="#6f777b", strokeDash=[4, 4]).encode(x="x:Q", y="y:Q")
    labels = list(groups)
    colour = alt.Color("group:N", title=None, scale=alt.Scale(domain=labels, range=list(PALETTE[:len(labels)])),
                       legend=alt.Legend(orient="bottom"))
    lines = alt.Chart(data).mark_line(strokeWidth=1.5).encode(
        x=alt.X("mean_probability:Q", title="P(meet) given (mean in each fifth)", scale=alt.Scale(domain=[0, 1]), axis=axis),
        y=alt.Y("share_met:Q", title="share of targets met", scale=alt.Scale(domain=[0, 1]), axis=axis),
        color=colour)
    points = alt.Chart(data).mark_circle(opacity=0.9).encode(
        x="mean_probability:Q", y="share_met:Q", color=colour,
        size=alt.Size("cases:Q", title="cases", scale=alt.Scale(range=[30, 600]), legend=None),
        tooltip=["group:N", alt.Tooltip("mean_probability:Q", format=".0%"), alt.Tooltip("share_met:Q", format=".0%"),
                 "cases:Q"])
    return (diagonal + lines + points).properties(
        width=360, height=360, title=title, description=reliability_description(groups),
    ).configure(font=FONT).configure_view(stroke=None)


def reliability_description(groups: Mapping[str, Sequence[Mapping]]) -> str:
    """The diagram in words: the text alternative, one sentence per group."""
    sentences = []
    for label, bins in groups.items():
        parts = [f"given {b['mean_probability']:.0%}, {b['share_met']:.0%} met ({b['cases']:,} cases)"
                 for b in bins if b["cases"]]
        sentences.append(f"{label[:1].upper()}{label[1:]}: " + "; ".join(parts) + ".")
    return ("Reliability diagram: the mean probability of meeting a target in each fifth, against the share "
            "of those targets met; perfectly reliable probabilities lie on the diagonal. " + " ".join(sentences))


#: What each SPC point type looks like on an XmR chart (NHS Making Data Count: blue better, orange worse).
POINT_STYLES = {
    "common_cause": ("common cause", "#505a5f"),
    "special_cause_improvement": ("improvement", "#1d70b8"),
    "special_cause_concern": ("concern", "#f47738"),
    "special_cause_neutral_high": ("neutral high", "#912b88"),
    "special_cause_neutral_low": ("neutral low", "#912b88"),
}
TARGET_COLOUR = "#d4351c"


def _figure(value: float | None, kind: str, places: int = 0) -> str:
    if value is None:
        return "–"
    if kind == "ratio":
        return fmt_pct(value, 1)
    return fmt_int(value) if places == 0 else fmt_num(value, places)


def xmr_chart(points: Sequence[Mapping], *, kind: str, target: float | None, title: str,
              plan_year_start: str | None = None, y_title: str = "") -> alt.LayerChart:
    """An XmR chart: each month's value, coloured by what SPC says of it, the mean and the process limits
    (dashed), and the monthly target line.

    ``points`` are mappings with ``month`` (YYYY-MM), ``label``, ``value``, ``mean``, ``lpl``, ``upl`` and
    ``point_type`` (see :class:`policingplan.services.history.HistoryPoint`); ``kind`` is ``count`` or
    ``ratio`` (a rate as a fraction); ``target`` the monthly target line, if any.
    """
    rows = [{"date": f"{p['month']}-01", "label": p["label"], "value": p["value"], "mean": p["mean"],
             "lpl": p["lpl"], "upl": p["upl"],
             "signal": POINT_STYLES.get(p["point_type"] or "", ("no data", "#b1b4b6"))[0]} for p in points]
    data = alt.Data(values=rows)
    number = ".0%" if kind == "ratio" else ",.0f"
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8, grid=False))
    y_axis = alt.Axis(format=number, grid=True, gridColor="#e6e6e6", title=y_title or None)
    base = alt.Chart(data)
    limits = [base.mark_line(color="#6f777b", strokeDash=[5, 4], strokeWidth=1.2).encode(
        x=x, y=alt.Y(f"{field}:Q", axis=y_axis, scale=alt.Scale(zero=False))) for field in ("lpl", "upl")]
    mean = base.mark_line(color="#6f777b", strokeWidth=1.5).encode(x=x, y=alt.Y("mean:Q", axis=y_axis))
    line = base.mark_line(color="#0b0c0c", strokeWidth=1.5).encode(x=x, y=alt.Y("value:Q", axis=y_axis))
    used = [style for style in POINT_STYLES.values() if any(r["signal"] == style[0] for r in rows)]
    used = list(dict.fromkeys(used))
    dots = base.mark_circle(size=70, opacity=1).encode(
        x=x, y=alt.Y("value:Q", axis=y_axis),
        color=alt.Color("signal:N", title=None, scale=alt.Scale(domain=[u[0] for u in used],
                                                                range=[u[1] for u in used]),
                        legend=alt.Legend(orient="bottom", labelFontSize=13, symbolSize=120)),
        tooltip=[alt.Tooltip("label:N", title="month"), alt.Tooltip("value:Q", format=number), "signal:N"])
    layers = [*limits, mean, line, dots]
    if target is not None:
        layers.append(alt.Chart(alt.Data(values=[{"target": target, "text": "target"}])).mark_rule(
            color=TARGET_COLOUR, strokeWidth=2, strokeDash=[8, 4]).encode(y="target:Q"))
        layers.append(alt.Chart(alt.Data(values=[{"target": target, "text": "target"}])).mark_text(
            color=TARGET_COLOUR, align="left", dx=4, dy=-7, fontSize=13, fontWeight="bold").encode(
            y="target:Q", x=alt.value(0), text="text:N"))
    if plan_year_start is not None:
        layers.append(alt.Chart(alt.Data(values=[{"date": f"{plan_year_start}-01"}])).mark_rule(
            color="#b1b4b6", strokeWidth=1).encode(x="date:T"))
    return alt.layer(*layers).properties(
        width=640, height=300, title=title,
        description=xmr_description(points, kind=kind, target=target, title=title),
    ).configure(font=FONT).configure_view(stroke=None).configure_title(fontSize=16, anchor="start").configure_axis(
        labelFontSize=13, titleFontSize=13, labelColor="#0b0c0c")


def xmr_description(points: Sequence[Mapping], *, kind: str, target: float | None, title: str) -> str:
    """The XmR chart in words: its text alternative."""
    shown = [p for p in points if p["value"] is not None]
    if not shown:
        return f"{title}: no monthly data."
    first, last = points[0], shown[-1]
    sentences = [f"{title}: an XmR chart of the monthly values from {first['label']} to {points[-1]['label']}."]
    sentences.append(f"The latest month, {last['label']}, was {_figure(last['value'], kind, 0)}; the mean is "
                     f"{_figure(last['mean'], kind, 1)}, with process limits from {_figure(last['lpl'], kind, 1)} "
                     f"to {_figure(last['upl'], kind, 1)}.")
    if target is not None:
        sentences.append(f"The monthly target line is at {_figure(target, kind, 1)}.")
    for point_type, (word, _) in POINT_STYLES.items():
        if point_type == "common_cause":
            continue
        months = [p["label"] for p in shown if p["point_type"] == point_type]
        if months:
            listed = ", ".join(months[:6]) + (f" and {len(months) - 6} more" if len(months) > 6 else "")
            sentences.append(f"{len(months)} month{'s' if len(months) != 1 else ''} show special cause "
                             f"{word}: {listed}.")
    if all(p["point_type"] in (None, "common_cause") for p in shown):
        sentences.append("Every month shows common cause variation only.")
    return " ".join(sentences)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (vl-convert, no browser and no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


__all__ = ["PALETTE", "POINT_STYLES", "reliability_chart", "reliability_description", "to_svg", "xmr_chart",
           "xmr_description"]
