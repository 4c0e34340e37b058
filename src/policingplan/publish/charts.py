"""Charts as Vega-Altair specifications, rendered to SVG on the server with vl-convert.

One chart serves a page that works without JavaScript and a PDF: the SVG is
made here, with a text alternative (``description``) for screen readers and
documents, and every chart's data can also be shown as a table.  Charts take
plain values (a service's result), never read data themselves.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import altair as alt

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


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document (vl-convert, no browser and no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


__all__ = ["PALETTE", "reliability_chart", "reliability_description", "to_svg"]
