"""The portfolio's pages: the fund and programmes, a programme's benefits, a benefit's chart, a business case with
the board's decision buttons (for the board only), and the decisions they make."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from policingplan.web.investment import state
from policingplan.web.investment.models import CaseDecision, Fund
from policingplan.web.models import AuditEntry

CASE = "bc-cf-call-handling"


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def board(client, make_user):
    client.force_login(make_user("investment"))
    return client


@pytest.mark.django_db
def test_the_portfolio_shows_the_fund_programmes_and_cases_by_status(board):
    response = board.get(reverse("portfolio"))
    assert response.status_code == 200
    text = _text(response)
    assert "Total £15m" in text and "Approved £10.5m" in text and "Remaining £4.5m" in text
    for programme in ("Citizen Focus", "Safer Neighbourhoods", "The Met Intelligence Bureau",
                      "Workforce modernisation"):
        assert programme in text
    assert "Awaiting the board's decision (1, £2m)" in text
    assert "1 business case awaits the board's decision" in text
    assert "Funded (1, £4m)" in text and "Rejected (1, £3m)" in text
    assert "1 off track" in text  # Safer Neighbourhoods' confidence benefit is behind its path
    assert "The budget £3,200m £220m £3,420m" in text


@pytest.mark.django_db
def test_a_programme_shows_its_benefits_planned_against_actual_with_flags_and_measure_links(board):
    response = board.get(reverse("portfolio-programme", args=["safer-neighbourhoods"]))
    assert response.status_code == 200
    page = response.content.decode()
    text = _text(response)
    assert "Higher public confidence in the police" in text and "Off track" in text
    assert "55.3%" in text and "60.0%" in text  # the latest actual and the target, as percentages
    assert 'class="row--flagged"' in page
    assert f'href="{reverse("measure", args=["public-confidence"])}"' in page
    assert "Every ward panel has set its local priorities" in text and "Late" in text


@pytest.mark.django_db
def test_a_benefit_has_its_realisation_chart_with_a_text_alternative_and_its_data(board):
    response = board.get(reverse("portfolio-benefit", args=["wm-front-line-hours"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" in page
    text = _text(response)
    assert "Benefits realisation chart: Officer hours released to front-line duties, planned against actual." in text
    assert "31 December 2007, 380,000 hours a year" in text
    assert "The chart's data" in text


@pytest.mark.django_db
def test_the_board_sees_the_decision_buttons_and_others_read_only(client, make_user, board):
    page = board.get(reverse("portfolio-case", args=[CASE])).content.decode()
    assert 'name="action" value="approve"' in page and 'name="action" value="reject"' in page
    assert 'id="amount"' in page and 'value="2,000,000"' in page
    for role in ("viewer", "performance", "administrator"):
        client.force_login(make_user(role))
        response = client.get(reverse("portfolio-case", args=[CASE]))
        assert response.status_code == 200
        assert 'name="action"' not in response.content.decode()
        assert "only the board records them" in _text(response)
        assert client.post(reverse("portfolio-case", args=[CASE]),
                           {"action": "approve", "reason": "Mine"}).status_code == 403
    assert CaseDecision.objects.count() == 0


@pytest.mark.django_db
def test_the_board_approves_with_an_amount_and_the_decision_is_shown_and_audited(board):
    response = board.post(reverse("portfolio-case", args=[CASE]),
                          {"action": "approve", "amount": "£1.5m", "reason": "Approved for the first phase"})
    assert response.status_code == 302 and response["Location"] == reverse("portfolio-case", args=[CASE])
    text = _text(board.get(response["Location"]))
    assert "Approved £1.5m: Call handling improvements for first contact. £3m of the fund remains unallocated." \
           in text
    assert "Approved for the first phase" in text and "This application" in text
    assert Fund.objects.get().allocated == 12_000_000
    assert AuditEntry.objects.filter(action="business-case.approve", object_id=CASE).count() == 1
    assert "Remaining £3m" in _text(board.get(reverse("portfolio")))
    # Funded next: the only button left.
    page = board.get(reverse("portfolio-case", args=[CASE])).content.decode()
    assert re.findall(r'name="action" value="(\w+)"', page) == ["fund"]


@pytest.mark.django_db
def test_mistakes_are_errors_naming_the_field_and_nothing_is_recorded(board):
    url = reverse("portfolio-case", args=[CASE])
    response = board.post(url, {})
    assert response.status_code == 200
    text = _text(response)
    assert "There is a problem" in text and "Enter the reason for the decision" in text
    assert "Choose a decision" in text and 'href="#reason"' in response.content.decode()
    text = _text(board.post(url, {"action": "approve", "amount": "two million", "reason": "Yes"}))
    assert "Enter the amount approved in whole pounds, such as 2,000,000 or £2m (not 'two million')" in text
    text = _text(board.post(url, {"action": "approve", "amount": "5,000,000", "reason": "All of it"}))
    assert "approving £5m would take the fund's allocations to £15.5m, above its total of £15m (£4.5m remains)" \
           in text
    assert 'href="#amount"' in board.post(url, {"action": "approve", "amount": "5m", "reason": "x"}).content.decode()
    text = _text(board.post(url, {"action": "fund", "reason": "Skip approval"}))
    assert "Choose a decision: awaiting decision cases may be approved or rejected" in text
    assert CaseDecision.objects.count() == 0 and state.load().fund.case(CASE).status == "submitted"


@pytest.mark.django_db
def test_a_case_that_cannot_be_approved_says_why_before_the_board_tries(board):
    board.post(reverse("portfolio-case", args=["bc-wm-rostering"]), {"action": "submit", "reason": "For the Board"})
    text = _text(board.get(reverse("portfolio-case", args=["bc-wm-rostering"])))
    assert "It cannot be approved yet: It has no named sponsor" in text


@pytest.mark.django_db
def test_unknown_ids_are_not_found(board):
    assert board.get(reverse("portfolio-case", args=["bc-nothing"])).status_code == 404
    assert board.get(reverse("portfolio-programme", args=["nothing"])).status_code == 404
    assert board.get(reverse("portfolio-benefit", args=["nothing"])).status_code == 404


@pytest.mark.django_db
def test_a_plan_without_a_portfolio_says_what_to_do(board, web_settings, plan_without_portfolio):
    web_settings.POLICINGPLAN_PLAN_DIR = str(plan_without_portfolio)
    text = _text(board.get(reverse("portfolio")))
    assert "The plan shown has no portfolio" in text and "portfolio.yaml" in text
