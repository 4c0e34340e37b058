"""Charts render to SVG without a browser, and say in words what they show."""

from __future__ import annotations

import re

from policingplan.publish.charts import reliability_chart, reliability_description, to_svg
from policingplan.stats.calibration import reliability_table

P = [0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.97]
MET = [0, 0, 1, 0, 1, 1, 1, 1]


def _bins():
    return [vars(b) for b in reliability_table(P, MET)]


def test_the_reliability_diagram_renders_to_svg_with_its_points():
    svg = to_svg(reliability_chart({"normal years": _bins()}, "Reliability"))
    assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "Reliability" in svg and "share of targets met" in svg
    # One circle (a path in Vega's SVG) per non-empty bin: five fifths, all used here.
    assert len(re.findall(r'<path[^>]*aria-roledescription="circle"', svg)) == 5


def test_the_text_alternative_gives_every_bin_in_words():
    text = reliability_description({"normal years": _bins()})
    assert "given 8%, 0% met (2 cases)" in text  # 0.05 and 0.1: mean 7.5%, shown as 8%
    assert "given 94%, 100% met (3 cases)" in text
    spec = reliability_chart({"normal years": _bins()}, "Reliability").to_dict()
    assert spec["description"] == text
