"""Samples of the portfolio's URL converters for the role matrix (tests/web/url_samples.py).

The role matrix shows the web suite's plan, the London 2023/24 example, whose portfolio.yaml has these
ids: a programme, a benefit tied to a plan measure, and a business case awaiting the investment board's
decision (so that its decision buttons, and an empty POST to them, are tried for every role).
"""

from __future__ import annotations


def programme() -> str:
    return "neighbourhood-policing"


def benefit() -> str:
    return "np-neighbourhood-crime"


def case() -> str:
    return "bc-da-evidence-capture"
