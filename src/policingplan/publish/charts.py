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


#: The forecast fan's colours: the central path, the 80% band and the 95% band (light enough for the
#: path and the target line to keep their contrast on top of them).
FAN_COLOURS = ("#003078", "#8eb8dc", "#d2e2f1")


def _configured(chart, *, width: int, height: int, title: str, description: str):
    return chart.properties(width=width, height=height, title=title, description=description).configure(
        font=FONT).configure_view(stroke=None).configure_title(fontSize=16, anchor="start").configure_axis(
        labelFontSize=13, titleFontSize=13, labelColor="#0b0c0c", titleColor="#0b0c0c").configure_legend(
        labelFontSize=13, titleFontSize=13, labelColor="#0b0c0c", titleColor="#0b0c0c", orient="bottom")


def fan_chart(points: Sequence[Mapping], *, kind: str, target: float | None, title: str) -> alt.LayerChart:
    """The forecast fan: the year-end forecast made at the end of each month (the central path) with its
    80% and 95% intervals (the bands), narrowing as the year is counted, and the target line.

    ``points`` are mappings with ``month`` (YYYY-MM), ``label``, ``forecast``, ``low_80``, ``high_80``,
    ``low_95`` and ``high_95`` (see :class:`policingplan.services.history.FanPoint`); ``kind`` is ``count``
    or ``ratio`` (a rate as a fraction); ``target`` the year-end target, if any.
    """
    rows = [{"date": f"{p['month']}-01", "label": p["label"], "forecast": p["forecast"],
             "low_80": p["low_80"], "high_80": p["high_80"], "low_95": p["low_95"], "high_95": p["high_95"]}
            for p in points if p["forecast"] is not None]
    data = alt.Data(values=rows)
    number = ".0%" if kind == "ratio" else ",.0f"
    x = alt.X("date:T", title="Forecast made at the end of", axis=alt.Axis(
        format="%b %Y", labelAngle=0, tickCount=min(6, max(1, len(rows))), grid=False))
    values = [v for r in rows for v in (r["low_95"], r["high_95"], r["forecast"]) if v is not None]
    if target is not None:
        values.append(target)
    domain = [min(values), max(values)] if values else [0, 1]
    y_scale = alt.Scale(domain=domain, zero=False, nice=True)
    y = alt.Y("forecast:Q", title="Year-end forecast", scale=y_scale,
              axis=alt.Axis(format=number, grid=True, gridColor="#e6e6e6"))
    base = alt.Chart(data)
    dark, middle, light = FAN_COLOURS
    band_95 = base.mark_area(color=light, opacity=1).encode(x=x, y=alt.Y("low_95:Q", scale=y_scale), y2="high_95:Q")
    band_80 = base.mark_area(color=middle, opacity=1).encode(x=x, y=alt.Y("low_80:Q", scale=y_scale), y2="high_80:Q")
    path = base.mark_line(color=dark, strokeWidth=2.5).encode(x=x, y=y)
    dots = base.mark_circle(color=dark, size=50, opacity=1).encode(
        x=x, y=alt.Y("forecast:Q", scale=y_scale),
        tooltip=[alt.Tooltip("label:N", title="made at"), alt.Tooltip("forecast:Q", format=number)])
    layers = [band_95, band_80, path, dots]
    if target is not None:
        line = alt.Data(values=[{"target": target, "text": "target"}])
        layers.append(alt.Chart(line).mark_rule(color=TARGET_COLOUR, strokeWidth=2, strokeDash=[8, 4]).encode(
            y=alt.Y("target:Q", scale=y_scale)))
        layers.append(alt.Chart(line).mark_text(
            color=TARGET_COLOUR, align="left", dx=4, dy=-7, fontSize=13, fontWeight="bold").encode(
            y=alt.Y("target:Q", scale=y_scale), x=alt.value(0), text="text:N"))
    key = alt.Data(values=[{"band": "80% range", "order": 0}, {"band": "95% range", "order": 1}])
    layers.append(alt.Chart(key).mark_square(size=0, opacity=0).encode(
        color=alt.Color("band:N", title=None, scale=alt.Scale(domain=["80% range", "95% range"],
                                                              range=[middle, light]),
                        legend=alt.Legend(symbolOpacity=1, symbolSize=200, symbolStrokeWidth=0))))
    return _configured(alt.layer(*layers), width=640, height=280, title=title,
                       description=fan_description(points, kind=kind, target=target, title=title))


def fan_description(points: Sequence[Mapping], *, kind: str, target: float | None, title: str) -> str:
    """The forecast fan in words: its text alternative."""
    shown = [p for p in points if p["forecast"] is not None]
    if not shown:
        return f"{title}: no forecast could be made."

    def said(p: Mapping) -> str:
        text = _figure(p["forecast"], kind)
        if p["low_80"] is not None and p["high_80"] is not None:
            text += f" (80% range {_figure(p['low_80'], kind)} to {_figure(p['high_80'], kind)})"
        return text

    first, last = shown[0], shown[-1]
    sentences = [f"{title}: the year-end forecast made at the end of each month from {first['label']} to "
                 f"{last['label']}, with its 80% and 95% ranges."]
    if first is last:
        sentences.append(f"At the end of {last['label']} it was {said(last)}.")
    else:
        sentences.append(f"At the end of {first['label']} it was {said(first)}; at the end of {last['label']}, "
                         f"{said(last)}.")
    if target is not None:
        sentences.append(f"The target line is at {_figure(target, kind)}.")
    return " ".join(sentences)


#: The peer chart's colours: the unit highlighted, and the others.
PEER_HIGHLIGHT = "#d55e00"
PEER_OTHER = "#0072B2"


def _rate(value: float | None, kind: str) -> str:
    if value is None:
        return "–"
    return fmt_pct(value, 1) if kind == "ratio" else fmt_num(value, 1)


def peer_chart(rows: Sequence[Mapping], *, kind: str, title: str, highlight: str | None = None,
               peer_rate: float | None = None, x_title: str = "", subtitle: str = "") -> alt.LayerChart:
    """Where units stand for one measure: a dot per unit, ranked best first, the unit ``highlight`` (a name)
    drawn larger, as a diamond, in another colour and with its name in bold; ``peer_rate`` (its peers'
    pooled rate) as a dashed line.

    ``rows`` are mappings with ``name``, ``rate`` (per 1,000 residents, or a ratio's rate as a fraction)
    and ``rank`` (see :class:`policingplan.services.history.PeerRow`), in the order to show them.
    """
    shown = [r for r in rows if r["rate"] is not None]
    data = alt.Data(values=[{"name": r["name"], "rate": r["rate"], "rank": r["rank"], "zero": 0,
                             "who": "this borough" if r["name"] == highlight else "other boroughs"} for r in shown])
    number = ".0%" if kind == "ratio" else ",.1f"
    ticks = ".0%" if kind == "ratio" else ",.0f"
    order = [r["name"] for r in shown]
    y = alt.Y("name:N", title=None, sort=order, axis=alt.Axis(
        labelLimit=220, labelFontWeight=alt.expr(f"datum.value == {_js(highlight)} ? 'bold' : 'normal'")
        if highlight else "normal"))
    x_scale = alt.Scale(zero=True, nice=True)
    x = alt.X("rate:Q", title=x_title or None, scale=x_scale,
              axis=alt.Axis(format=ticks, grid=True, gridColor="#e6e6e6", tickCount=6))
    base = alt.Chart(data)
    stems = base.mark_rule(color="#b1b4b6", strokeWidth=1).encode(y=y, x=alt.X("zero:Q", scale=x_scale), x2="rate:Q")
    tooltip = ["name:N", alt.Tooltip("rate:Q", format=number), "rank:Q"]
    if highlight:
        who = ["this borough", "other boroughs"]
        dots = base.mark_point(filled=True, opacity=1).encode(
            y=y, x=x,
            color=alt.Color("who:N", title=None, scale=alt.Scale(domain=who, range=[PEER_HIGHLIGHT, PEER_OTHER]),
                            legend=alt.Legend(columnPadding=30, symbolSize=150)),
            shape=alt.Shape("who:N", scale=alt.Scale(domain=who, range=["diamond", "circle"]), legend=None),
            size=alt.Size("who:N", scale=alt.Scale(domain=who, range=[220, 70]), legend=None),
            tooltip=tooltip)
    else:
        dots = base.mark_point(filled=True, opacity=1, color=PEER_OTHER, shape="circle", size=70).encode(
            y=y, x=x, tooltip=tooltip)
    layers = [stems, dots]
    if peer_rate is not None:
        line = alt.Data(values=[{"rate": peer_rate, "text": "peers"}])
        layers.append(alt.Chart(line).mark_rule(color="#0b0c0c", strokeDash=[6, 4], strokeWidth=1.5).encode(
            x=alt.X("rate:Q")))
        layers.append(alt.Chart(line).mark_text(align="left", dx=4, dy=0, baseline="bottom", fontSize=13,
                                                fontWeight="bold", color="#0b0c0c").encode(
            x=alt.X("rate:Q"), y=alt.value(-2), text="text:N"))
    heading = alt.TitleParams(title, subtitle=subtitle, subtitleFontSize=13, subtitleColor="#0b0c0c") \
        if subtitle else title
    chart = _configured(alt.layer(*layers), width=520, height=max(120, 20 * len(shown)), title=heading,
                        description=peer_description(rows, kind=kind, title=f"{title}, {subtitle}" if subtitle
                                                     else title, highlight=highlight, peer_rate=peer_rate))
    # vl-convert measures text without the page's font: room for the longest (bold) name.
    return chart.properties(padding={"left": 30, "top": 5, "right": 5, "bottom": 5})


def _js(text: str | None) -> str:
    import json

    return json.dumps(text)


def peer_description(rows: Sequence[Mapping], *, kind: str, title: str, highlight: str | None = None,
                     peer_rate: float | None = None) -> str:
    """The peer chart in words: its text alternative."""
    shown = [r for r in rows if r["rate"] is not None]
    if not shown:
        return f"{title}: no borough has a figure."
    unit = " per 1,000 residents" if kind == "count" else ""
    best, worst = shown[0], shown[-1]
    sentences = [f"{title}: {len(shown)} boroughs ranked, best first. The best is {best['name']} at "
                 f"{_rate(best['rate'], kind)}{unit}; the last, {worst['name']} at {_rate(worst['rate'], kind)}."]
    mine = next((r for r in shown if r["name"] == highlight), None)
    if mine is not None:
        place = shown.index(mine) + 1
        sentences.append(f"{mine['name']} is {_ordinal(place)} of the {len(shown)} shown, at "
                         f"{_rate(mine['rate'], kind)}{unit}.")
    if peer_rate is not None:
        sentences.append(f"The dashed line is its peers' rate, {_rate(peer_rate, kind)}.")
    return " ".join(sentences)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (vl-convert, no browser and no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


__all__ = ["FAN_COLOURS", "PALETTE", "PEER_HIGHLIGHT", "PEER_OTHER", "POINT_STYLES", "fan_chart", "fan_description",
           "peer_chart", "peer_description", "reliability_chart", "reliability_description", "to_svg", "xmr_chart",
           "xmr_description"]
