"""Objects that exist in the test database, for the role matrix's URL samples (tests/web/url_samples.py)."""

from __future__ import annotations


def milestone() -> int:
    """The first of the cycle's dates for the plan shown (seeded on first use)."""
    from policingplan.web import figures
    from policingplan.web.cycle import state

    return state.milestones(figures.plan())[0].pk


def proposal() -> int:
    """An open proposal by Lambeth's commander (the role matrix's own borough) for neighbourhood crime."""
    from django.contrib.auth.models import User

    from policingplan.web import figures
    from policingplan.web.cycle.models import Proposal

    plan = figures.plan()
    lambeth = next(u.code for u in plan.units if u.name == "Lambeth")
    found = Proposal.objects.filter(plan_id=plan.id, unit=lambeth, status=Proposal.OPEN).first()
    if found is not None:
        return found.pk
    user, _ = User.objects.get_or_create(username="sample-commander-lambeth")
    return Proposal.objects.create(plan_id=plan.id, unit=lambeth, measure="neighbourhood-crime", period=plan.period,
                                   value=-0.04, reason="A sample proposal for the role matrix.", proposed_by=user,
                                   proposed_by_name=user.username).pk
