"""Samples of the portfolio's URL converters for the role matrix (tests/web/url_samples.py).

The role matrix shows the London 2023/24 example, which has no portfolio.yaml; the portfolio's pages
for a programme, a benefit or a business case answer 404 there.  So each sample switches the plan
shown to the 2007/08 example (which has one) for the test's one request, and back when it finishes.
"""

from __future__ import annotations

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "london-2007-08"


def _show_the_portfolio_plan_for_one_request() -> None:
    from django.core.signals import request_finished
    from django.test.utils import override_settings

    override = override_settings(POLICINGPLAN_PLAN_DIR=str(EXAMPLE))
    override.enable()

    def done(**_):
        request_finished.disconnect(done, dispatch_uid="investment-sample")
        override.disable()

    request_finished.connect(done, weak=False, dispatch_uid="investment-sample")


def programme() -> str:
    _show_the_portfolio_plan_for_one_request()
    return "citizen-focus"


def benefit() -> str:
    _show_the_portfolio_plan_for_one_request()
    return "cf-user-satisfaction"


def case() -> str:
    _show_the_portfolio_plan_for_one_request()
    return "bc-cf-call-handling"
