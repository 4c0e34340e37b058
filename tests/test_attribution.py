"""Every publisher's figures carry its attribution; the force's own figures need none."""

from __future__ import annotations

import csv
from pathlib import Path

from policingplan.attribution import ATTRIBUTIONS, attribution, attribution_line
from policingplan.data.readers import SOURCE_KINDS

ROOT = Path(__file__).resolve().parents[1]


def test_every_published_kind_has_an_attribution_and_only_tidy_has_none():
    assert set(ATTRIBUTIONS) == set(SOURCE_KINDS) - {"tidy"}
    for kind, text in ATTRIBUTIONS.items():
        assert "Open Government Licence" in text or "TfL Open Data" in text, kind


def test_the_attribution_names_each_publisher_of_the_carried_files():
    with open(ROOT / "data" / "SOURCES.csv", encoding="utf-8", newline="") as handle:
        publishers = {row["publisher"] for row in csv.DictReader(handle)}
    texts = " ".join(ATTRIBUTIONS.values())
    for publisher in publishers:
        # A police.uk file names its own force; the attribution names "the police force".
        name = "police force" if "data.police.uk" in publisher else publisher
        assert name in texts, publisher


def test_sources_that_share_a_publisher_give_one_line_each_once():
    kinds = ["mps-borough-monthly", "mps-crime-dashboard", "tfl-casualties", "tidy", "mps-borough-monthly"]
    assert attribution(kinds) == [ATTRIBUTIONS["mps-borough-monthly"], ATTRIBUTIONS["tfl-casualties"]]
    line = attribution_line(kinds)
    assert line.startswith("Data: ") and "Metropolitan Police Service" in line and "TfL" in line
    assert attribution_line(["tidy"]) is None and attribution([]) == []
    # One sentence for the publishers under the same licence.
    both = attribution_line(["gla-borough-fy", "mps-borough-monthly"])
    assert both == ("Data: Contains public sector information licensed under the Open Government Licence v3.0 "
                    "(Greater London Authority; Metropolitan Police Service).")
