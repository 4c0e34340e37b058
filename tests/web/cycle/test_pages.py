"""The planning cycle's pages for each role: the outstanding page, the dates, proposals, commentary, the 403s."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from policingplan.web.cycle.models import Commentary, Milestone, Proposal
from policingplan.web.models import AuditEntry

pytestmark = pytest.mark.django_db

LAMBETH, WESTMINSTER = "E09000022", "E09000033"
MEASURE = "neighbourhood-crime"


def text(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).strip()
    return html.unescape(re.sub(r"([(]) | ([,.:;)])", r"\1\2", words))


def propose(client, borough="lambeth", measure=MEASURE, change="6", reason="Our partners agreed 6%."):
    return client.post(reverse("borough-propose", args=[borough, measure]), {"change": change, "reason": reason})


# --- the outstanding page ------------------------------------------------------------------------------


def test_the_cycle_page_counts_the_days_from_the_date_set_and_lists_what_is_outstanding(client, make_user, settings):
    settings.POLICINGPLAN_CYCLE_TODAY = "2023-03-06"
    client.force_login(make_user("viewer"))
    response = client.get(reverse("cycle"))
    page = text(response)
    assert "Authority approval is due in 16 days, on 22 March 2023" in page
    assert "Publication is due in 25 days, on 31 March 2023" in page
    assert "the date this service is set to (POLICINGPLAN_CYCLE_TODAY)" in page
    # The 2023/24 example: two measures have no target; every borough is agreed; the narrative is written;
    # two business cases of its portfolio await the investment board.
    assert "Measures without a target (2)" in page and "Public confidence" in page
    assert "2 items due by an earlier date are still outstanding." in page
    assert "Boroughs whose targets are not yet agreed (0) To be done by: Committee agreement of the targets " \
           "was due 5 days ago, on 1 March 2023. Every borough's targets are agreed." in page
    assert "Every narrative section is written." in page
    assert "Business cases awaiting decision (2)" in page
    assert "Evidence capture at the first attendance at domestic abuse: £4m." in page
    assert "Knife crime case progression teams: £3.5m." in page
    assert 'href="/portfolio/cases/bc-da-evidence-capture/"' in response.content.decode()
    assert 'href="/portfolio/cases/bc-vr-knife-case-progression/"' in response.content.decode()
    assert "2 outstanding, overdue" in page  # the committee's date has passed with two measures short
    assert response.content.decode().count(">Assumed</strong>") == 3  # every date of the 2023/24 cycle
    assert Milestone.objects.filter(plan_id="london-2023-24").count() == 3
    assert AuditEntry.objects.filter(action="cycle.seed", plan_id="london-2023-24").count() == 1


def test_only_the_investment_board_is_invited_to_decide_a_case_from_the_cycle_page(client, make_user):
    client.force_login(make_user("viewer"))
    seen = text(client.get(reverse("cycle")))
    assert "See the case" in seen and "Decide it" not in seen
    client.force_login(make_user("investment"))
    board = text(client.get(reverse("cycle")))
    assert "Decide it" in board and "See the case" not in board


def test_without_a_date_set_the_page_counts_from_the_real_date_and_says_every_date_has_passed(client, make_user):
    client.force_login(make_user("commander", "lambeth"))
    page = text(client.get(reverse("cycle")))
    assert "Days are counted from today," in page
    assert "Every date of this cycle has passed. Publication was due" in page and "ago, on 31 March 2023" in page


def test_the_cycle_can_be_seen_as_at_a_date_and_a_bad_date_is_named(client, make_user):
    client.force_login(make_user("viewer"))
    page = text(client.get(reverse("cycle"), {"as_at": "2023-03-01"}))
    assert "Shown as at 1 March 2023, the date you chose" in page
    assert "Committee agreement of the targets is due today, 1 March 2023" in page
    response = client.get(reverse("cycle"), {"as_at": "31/03/2023"})
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem '31/03/2023' is not a date; enter a date written year-month-day" in page
    assert 'href="#as_at"' in response.content.decode()


def test_an_open_proposal_makes_a_borough_not_agreed_on_the_cycle_page(client, commander, make_user):
    client.force_login(commander)
    assert propose(client).status_code == 302
    client.force_login(make_user("performance"))
    page = text(client.get(reverse("cycle")))
    assert "Boroughs whose targets are not yet agreed (1)" in page
    assert "Lambeth: An open proposal for Neighbourhood crime" in page
    assert 'href="/boroughs/lambeth/proposals/"' in client.get(reverse("cycle")).content.decode()


# --- the dates ----------------------------------------------------------------------------------------


def test_the_performance_team_changes_a_date_with_a_reason_and_it_is_audited(client, performance):
    client.force_login(performance)
    client.get(reverse("cycle"))
    publication = Milestone.objects.get(plan_id="london-2023-24", key="publication")
    url = reverse("cycle-milestone", args=[publication.pk])
    form = {"name": "Publication", "date": "2023-03-30", "due": publication.due, "reason": ""}
    page = text(client.post(url, form))
    assert "There is a problem Enter the reason for the change" in page
    form.update(date="30 March", reason="The printer needs a day.")
    assert "The date '30 March' is not a date" in text(client.post(url, form))
    publication.refresh_from_db()
    assert str(publication.date) == "2023-03-31" and publication.assumed
    form.update(date="2023-03-30")
    assert client.post(url, form).status_code == 302
    publication.refresh_from_db()
    assert str(publication.date) == "2023-03-30" and not publication.assumed
    assert "The printer needs a day." in publication.source
    entry = AuditEntry.objects.get(action="cycle.milestone.edit")
    assert entry.why == "The printer needs a day." and entry.who_name == performance.username
    assert entry.before["date"] == "2023-03-31" and entry.after["date"] == "2023-03-30"
    assert "Publication: 31 March 2023 to 30 March 2023" == entry.what


@pytest.mark.parametrize("role", ["viewer", "investment", "administrator"])
def test_only_the_performance_team_changes_a_date(client, make_user, role):
    client.force_login(make_user(role))
    client.get(reverse("cycle"))
    publication = Milestone.objects.get(plan_id="london-2023-24", key="publication")
    response = client.post(reverse("cycle-milestone", args=[publication.pk]),
                           {"name": "Publication", "date": "2023-03-01", "due": "x", "reason": "because"})
    assert response.status_code == 403
    publication.refresh_from_db()
    assert str(publication.date) == "2023-03-31"


# --- proposals ----------------------------------------------------------------------------------------


def test_a_commander_proposes_for_their_own_borough_sees_it_and_withdraws_it(client, commander):
    client.force_login(commander)
    form = text(client.get(reverse("borough-propose", args=["lambeth", MEASURE])))
    assert "The target in version 1.0, the plan shown: 3.1% fewer than 2022/23 (8,217): at most 7,963 offences" in form
    assert "There is a problem Enter the reduction you propose" in text(propose(client, change=""))
    assert "The reduction 'six' is not a number" in text(propose(client, change="six"))
    assert "outside what is accepted: a percentage from 0 up to, but not including, 100" in text(
        propose(client, change="120"))
    assert "Enter the reason for your proposal" in text(propose(client, reason=" "))
    assert "3.1% fewer is Lambeth's target now: propose a different one" in text(propose(client, change="3.1"))
    assert not Proposal.objects.exists()
    assert propose(client).status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.unit, proposal.measure, proposal.period, proposal.value, proposal.status) == (
        LAMBETH, MEASURE, "2023/24", -0.06, "open")
    assert "already has an open proposal" in text(client.get(reverse("borough-propose", args=["lambeth", MEASURE])))
    assert "Lambeth already has an open proposal for Neighbourhood crime: withdraw it" in text(
        propose(client, change="7"))
    assert Proposal.objects.count() == 1
    page = text(client.get(reverse("borough-proposals", args=["lambeth"])))
    assert "Not yet agreed" in page
    assert "Open proposal 6.0% fewer than 2022/23 (8,217): at most 7,724 offences" in page
    withdraw = reverse("borough-proposal-withdraw", args=["lambeth", proposal.pk])
    assert "Enter the reason for withdrawing" in text(client.post(withdraw, {"reason": ""}))
    assert client.post(withdraw, {"reason": "The partners changed their minds."}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn" and proposal.closed_reason == "The partners changed their minds."
    assert [e.action for e in AuditEntry.objects.filter(object_type="proposal").order_by("id")] == [
        "proposal.create", "proposal.withdraw"]
    assert "Agreed" in text(client.get(reverse("borough-proposals", args=["lambeth"])))


def test_a_commander_who_posts_to_another_boroughs_proposal_forms_gets_403_and_nothing_changes(
        client, commander, make_user):
    client.force_login(make_user("commander", "westminster"))
    assert propose(client, borough="westminster").status_code == 302
    theirs = Proposal.objects.get()
    entries = AuditEntry.objects.count()
    client.force_login(commander)
    assert propose(client, borough="westminster").status_code == 403
    assert client.get(reverse("borough-propose", args=["westminster", MEASURE])).status_code == 403
    assert client.post(reverse("borough-proposal-withdraw", args=["westminster", theirs.pk]),
                       {"reason": "mine now"}).status_code == 403
    # Their own borough's address with another borough's proposal: not found, and nothing changes.
    assert client.post(reverse("borough-proposal-withdraw", args=["lambeth", theirs.pk]),
                       {"reason": "mine now"}).status_code == 404
    assert client.post(reverse("cycle-proposal", args=[theirs.pk]),
                       {"decision": "decline", "reason": "no"}).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "open" and Proposal.objects.count() == 1 and AuditEntry.objects.count() == entries
    # The list of proposals shows a commander only their own borough's.
    assert "Westminster" not in text(client.get(reverse("cycle-proposals")))


@pytest.mark.parametrize("role", ["viewer", "investment", "performance", "administrator"])
def test_only_a_commander_proposes(client, make_user, role):
    client.force_login(make_user(role))
    assert propose(client).status_code == 403
    assert not Proposal.objects.exists()


def test_the_performance_team_accepts_a_proposal_into_the_current_draft(client, commander, performance, draft):
    from policingplan.web.editing import store

    client.force_login(commander)
    assert propose(client).status_code == 302
    proposal = Proposal.objects.get()
    client.force_login(performance)
    listing = text(client.get(reverse("cycle-proposals")))
    assert "Open (1)" in listing and "Lambeth" in listing
    url = reverse("cycle-proposal", args=[proposal.pk])
    page = client.get(url)
    assert "The target now (draft 1.1)" in text(page)
    seen = re.search(r'name="seen" value="([^"]+)"', page.content.decode()).group(1)
    assert "Choose whether to accept or decline" in text(client.post(url, {"reason": "fine", "seen": seen}))
    assert "Enter the reason for your decision" in text(client.post(url, {"decision": "accept", "seen": seen}))
    response = client.post(url, {"decision": "accept", "reason": "Consistent with the partners' LAA target.",
                                 "seen": seen})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.closed_by_name == performance.username
    plan, _ = store.plan_of(store.get(draft.pk))
    target = next(t for t in plan.targets if t.scope == LAMBETH and t.measure == MEASURE)
    assert target.value == -0.06
    assert {"proposal.accept", "target.edit"} <= set(AuditEntry.objects.values_list("action", flat=True))
    assert "Agreed" in text(client.get(reverse("borough-proposals", args=["lambeth"])))


def test_an_accept_against_a_target_changed_since_the_page_was_opened_is_refused(
        client, commander, performance, draft):
    client.force_login(commander)
    propose(client)
    proposal = Proposal.objects.get()
    client.force_login(performance)
    page = text(client.post(reverse("cycle-proposal", args=[proposal.pk]),
                            {"decision": "accept", "reason": "ok", "seen": "-0.01"}))
    assert "The draft was not changed, so the proposal stays open: Someone else changed this target" in page
    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert not AuditEntry.objects.filter(action="proposal.accept").exists()


def test_without_a_draft_a_proposal_cannot_be_accepted_but_can_be_declined(client, commander, performance):
    client.force_login(commander)
    propose(client)
    proposal = Proposal.objects.get()
    client.force_login(performance)
    url = reverse("cycle-proposal", args=[proposal.pk])
    assert "There is no draft of the plan, so a proposal cannot be accepted yet" in text(client.get(url))
    page = text(client.post(url, {"decision": "accept", "reason": "ok", "seen": ""}))
    assert "There is no draft of the plan to apply the proposal to" in page
    proposal.refresh_from_db()
    assert proposal.status == "open"
    assert client.post(url, {"decision": "decline", "reason": "The allocation stands."}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    entry = AuditEntry.objects.get(action="proposal.decline")
    assert entry.why == "The allocation stands." and "Lambeth" in entry.what
    client.force_login(commander)
    assert "The allocation stands." in text(client.get(reverse("borough-proposals", args=["lambeth"])))


# --- commentary ---------------------------------------------------------------------------------------


def test_commentary_is_written_by_the_commander_and_the_performance_team_and_shown_newest_first(
        client, commander, performance, make_user):
    from policingplan.web.cycle.state import recent_commentary

    url = reverse("borough-commentary", args=["lambeth"])
    client.force_login(commander)
    assert "No commentary yet" in text(client.get(url))
    page = text(client.post(url, {"measure": "knife-crime", "month": "2024-02", "text": "x"}))
    assert "'knife-crime' is not a measure of the plan" in page
    page = text(client.post(url, {"measure": MEASURE, "month": "2022-02", "text": "x"}))
    assert "'2022-02' is not a month of 2023/24" in page
    assert "Enter your commentary" in text(client.post(url, {"measure": MEASURE, "month": "2024-02", "text": ""}))
    assert not Commentary.objects.exists()
    assert client.post(url, {"measure": MEASURE, "month": "2024-01",
                             "text": "Burglary fell after Operation Bumblebee."}).status_code == 302
    client.force_login(performance)
    assert client.post(url, {"measure": "knife-crime-offences", "month": "2024-02",
                             "text": "Knife crime is above the monthly target."}).status_code == 302
    client.force_login(make_user("viewer"))
    page = text(client.get(url))
    assert "Write commentary" not in page
    assert page.index("Knife crime is above the monthly target.") < page.index("Burglary fell")
    assert "Neighbourhood crime, January 2024 Burglary fell after Operation Bumblebee." in page
    assert f"{commander.username} (Borough commander)" in page and f"{performance.username} (Performance team)" in page
    assert AuditEntry.objects.filter(action="commentary.add").count() == 2
    recent = recent_commentary(LAMBETH, limit=1)
    assert [c["text"] for c in recent["items"]] == ["Knife crime is above the monthly target."]
    assert recent["more"] == 1 and recent["slug"] == "lambeth"


def test_a_commander_cannot_write_commentary_on_another_borough(client, commander):
    client.force_login(commander)
    url = reverse("borough-commentary", args=["westminster"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"measure": MEASURE, "month": "2024-01", "text": "Not mine"}).status_code == 403
    assert not Commentary.objects.exists() and not AuditEntry.objects.filter(action="commentary.add").exists()


def test_the_commentary_include_renders_a_boroughs_recent_commentary(commander, rf):
    from django.template.loader import render_to_string

    from policingplan.web import figures
    from policingplan.web.cycle import state

    plan = figures.plan()
    html = render_to_string("policingplan/cycle/_commentary.html",
                            {"commentary": state.recent_commentary(LAMBETH)})
    assert "No commentary on Lambeth yet" in html and 'href="/boroughs/lambeth/commentary/"' in html
    state.add_commentary(commander, "commander", plan, LAMBETH, MEASURE, "2024-02", "Holding steady.")
    html = render_to_string("policingplan/cycle/_commentary.html",
                            {"commentary": state.recent_commentary(LAMBETH)})
    assert "Neighbourhood crime, February 2024" in html and "Holding steady." in html


def test_the_2007_08_cycle_has_report_8a_s_dates_and_its_business_case_awaiting_decision(
        client, make_user, settings, project_root):
    settings.POLICINGPLAN_PLAN_DIR = str(project_root / "examples" / "london-2007-08")
    settings.POLICINGPLAN_CYCLE_TODAY = "2007-03-06"
    client.force_login(make_user("investment"))
    response = client.get(reverse("cycle"))
    page = text(response)
    assert "Full Authority approval is due in 16 days, on 22 March 2007" in page
    assert "Publication is due in 25 days, on 31 March 2007" in page
    assert "1 March 2007 Co-ordination and Policing Committee 5 days ago" in page
    assert "MPA report 8a, Co-ordination and Policing Committee, 1 March 2007, paragraphs 2 and 27" in page
    assert response.content.decode().count(">Assumed</strong>") == 1  # only the Full Authority's approval
    assert "Measures without a target (5)" in page and "Robbery" in page
    assert "Business cases awaiting decision (1)" in page
    assert "Call handling improvements for first contact" in page
    assert 'href="/portfolio/cases/bc-cf-call-handling/"' in response.content.decode()
    assert [m.key for m in Milestone.objects.filter(plan_id="london-2007-08").order_by("date")] == [
        "pprc-january", "authority-january", "pprc-february", "committee", "approval", "publication"]
