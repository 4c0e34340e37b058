"""The forecast fan and the peer chart render to SVG without a browser, and say in words what they show."""

from __future__ import annotations

import re

from policingplan.publish.charts import (FAN_COLOURS, PEER_HIGHLIGHT, fan_chart, fan_description, peer_chart,
                                         peer_description, to_svg)

FAN = [
    {"month": "2023-04", "label": "April 2023", "forecast": 9396.1, "low_80": 8094.4, "high_80": 10930.0,
     "low_95": 7438.3, "high_95": 11931.0},
    {"month": "2023-05", "label": "May 2023", "forecast": 9754.5, "low_80": 8530.7, "high_80": 11194.5,
     "low_95": 7913.3, "high_95": 12133.2},
    {"month": "2023-06", "label": "June 2023", "forecast": 9578.4, "low_80": 8500.4, "high_80": 10845.0,
     "low_95": 7955.8, "high_95": 11669.6},
]
PEERS = [
    {"name": "Lewisham", "rate": 19.56, "rank": 14},
    {"name": "Lambeth", "rate": 27.07, "rank": 25},
    {"name": "Westminster", "rate": 122.26, "rank": 32},
    {"name": "Nowhere", "rate": None, "rank": None},
]


def test_the_fan_renders_its_bands_path_and_target_line():
    chart = fan_chart(FAN, kind="count", target=7963.0, title="Neighbourhood crime: Lambeth")
    svg = to_svg(chart)
    assert svg.lstrip().startswith("<svg") and "Neighbourhood crime: Lambeth" in svg
    for colour in FAN_COLOURS:  # the 95% band, the 80% band and the central path
        assert colour.lower() in svg.lower(), colour
    assert len(re.findall(r'aria-roledescription="circle"', svg)) == 3  # a point per month
    assert "80% range" in svg and "95% range" in svg and "target" in svg
    assert chart.to_dict()["description"] == fan_description(FAN, kind="count", target=7963.0,
                                                             title="Neighbourhood crime: Lambeth")


def test_the_fan_in_words():
    text = fan_description(FAN, kind="count", target=7963.0, title="Burglary")
    assert text == ("Burglary: the year-end forecast made at the end of each month from April 2023 to June 2023, "
                    "with its 80% and 95% ranges. At the end of April 2023 it was 9,396 (80% range 8,094 to 10,930); "
                    "at the end of June 2023, 9,578 (80% range 8,500 to 10,845). The target line is at 7,963.")
    rate = [dict(FAN[0], forecast=0.111, low_80=0.109, high_80=0.113)]
    assert "it was 11.1% (80% range 10.9% to 11.3%)" in fan_description(rate, kind="ratio", target=0.16, title="R")
    assert fan_description([dict(FAN[0], forecast=None)], kind="count", target=None, title="R") == \
        "R: no forecast could be made."


def test_the_peer_chart_highlights_the_borough_and_leaves_out_one_without_a_rate():
    chart = peer_chart(PEERS, kind="count", title="Per 1,000 residents", subtitle="Lambeth among its peers",
                       highlight="Lambeth", peer_rate=36.1)
    svg = to_svg(chart)
    assert "Lewisham" in svg and "Westminster" in svg and "Nowhere" not in svg
    assert PEER_HIGHLIGHT.lower() in svg.lower() and "this borough" in svg
    assert re.search(r'font-weight="bold"[^>]*>Lambeth<', svg)  # its name in bold, not by colour alone
    assert "peers" in svg and "Lambeth among its peers" in svg


def test_the_peer_chart_in_words():
    text = peer_description(PEERS, kind="count", title="Burglary", highlight="Lambeth", peer_rate=36.1)
    assert text == ("Burglary: 3 boroughs ranked, best first. The best is Lewisham at 19.6 per 1,000 residents; "
                    "the last, Westminster at 122.3. Lambeth is 2nd of the 3 shown, at 27.1 per 1,000 residents. "
                    "The dashed line is its peers' rate, 36.1.")
    rates = [{"name": "A", "rate": 0.19, "rank": 1}, {"name": "B", "rate": 0.11, "rank": 2}]
    assert "The best is A at 19.0%; the last, B at 11.0%." in peer_description(rates, kind="ratio", title="R")
    everyone = to_svg(peer_chart(PEERS[:3], kind="count", title="Every borough"))
    assert "this borough" not in everyone and len(re.findall(r'aria-roledescription="point"', everyone)) == 3
