"""What the planning cycle stores: its dates, commanders' target proposals, and commentary.

Each row names the plan it belongs to by the plan's id (``london-2007-08``), and a borough
by its unit code (``E09000022``), as the plan does.  Every change is recorded in the audit
trail (:func:`policingplan.web.audit.record`) in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Milestone(models.Model):
    """One date of the planning cycle: a committee meeting, the approval, the publication."""

    plan_id = models.CharField(max_length=100, db_index=True)
    key = models.SlugField(max_length=60, help_text="Stable within the plan: 'committee', 'publication'.")
    name = models.CharField(max_length=200)
    date = models.DateField()
    due = models.TextField(help_text="What must be done by then, in words.")
    requires = models.JSONField(default=list, blank=True,
                                help_text="The kinds of outstanding work that must be done by then: targets, "
                                          "measures, narrative, cases.")
    source = models.TextField(help_text="Where the date comes from.")
    assumed = models.BooleanField(default=False, help_text="The date is not given by the source, but assumed.")

    class Meta:
        ordering = ["plan_id", "date", "id"]
        constraints = [models.UniqueConstraint(fields=["plan_id", "key"], name="cycle_milestone_unique_key")]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.name} ({self.date:%Y-%m-%d})"


class Proposal(models.Model):
    """A borough commander's proposed target for one of their borough's measures, with its reason.

    ``value`` is the target's value as the plan stores it: for a change target, the signed fraction of
    change on the baseline (-0.055 for 5.5% fewer).  Open until the commander withdraws it or the
    performance team accepts or declines it; a borough has at most one open proposal per measure.
    """

    OPEN, WITHDRAWN, ACCEPTED, DECLINED = "open", "withdrawn", "accepted", "declined"
    STATUSES = [(OPEN, "Open"), (WITHDRAWN, "Withdrawn"), (ACCEPTED, "Accepted"), (DECLINED, "Declined")]

    plan_id = models.CharField(max_length=100, db_index=True)
    unit = models.CharField(max_length=40, help_text="The borough's unit code.")
    measure = models.CharField(max_length=100)
    period = models.CharField(max_length=10, help_text="The financial year of the target: 2007/08.")
    kind = models.CharField(max_length=20, default="change", help_text="The kind of target proposed.")
    value = models.FloatField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=STATUSES, default=OPEN)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="cycle_proposals")
    proposed_by_name = models.CharField(max_length=150)
    proposed_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="cycle_proposals_closed")
    closed_by_name = models.CharField(max_length=150, blank=True, default="")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan_id", "unit", "measure", "period"],
                                               condition=models.Q(status="open"),
                                               name="cycle_one_open_proposal_per_target")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.unit} {self.measure}: {self.value} ({self.status})"


class Commentary(models.Model):
    """Commentary on a borough's position for a measure in a month, by its commander or the performance team."""

    plan_id = models.CharField(max_length=100, db_index=True)
    unit = models.CharField(max_length=40, help_text="The borough's unit code.")
    measure = models.CharField(max_length=100)
    month = models.CharField(max_length=7, help_text="The month commented on: YYYY-MM.")
    text = models.TextField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="cycle_commentary")
    written_by_name = models.CharField(max_length=150)
    role = models.CharField(max_length=40, help_text="The writer's role when writing: commander, performance.")
    written_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-written_at", "-id"]
        verbose_name_plural = "commentary"
        indexes = [models.Index(fields=["plan_id", "unit", "-written_at"], name="cycle_commentary_unit")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.unit} {self.measure} {self.month}: {self.written_by_name}"
