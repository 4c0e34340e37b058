"""What investment stores: the fund's row (its total and what is allocated) and the decisions on business cases.

The programmes, benefits and business cases themselves come from the plan
folder's ``portfolio.yaml`` (the seed).  The application stores the decisions
the investment board makes through its pages, and the fund's position, so that
the guard on the fund holds in the database as well as in Python:

- a CHECK constraint on the fund's row: ``allocated <= total`` (and neither is
  below 0), so that no write, not even a raw ``UPDATE``, takes the fund over its
  total;
- every decision is written inside ``transaction.atomic()`` with the fund's row
  locked first (:func:`policingplan.web.investment.state.decide`), so that a
  second approval at the same moment waits for the first and sees it.

Decisions, like audit entries, are only ever added.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from policingplan.portfolio.model import ACTIONS


class Fund(models.Model):
    """The investment fund of a plan: its total and what approvals have allocated, whole pounds."""

    plan_id = models.CharField(max_length=100,
                               help_text="The plan's id (plan.yaml), the same for each of its versions.")
    investment = models.CharField(max_length=100, help_text="The id of the plan's investment that is the fund.")
    total = models.BigIntegerField(help_text="Whole pounds: the plan's investment amount.")
    allocated = models.BigIntegerField(default=0, help_text="Whole pounds: the cases approved or funded.")
    revision = models.PositiveBigIntegerField(default=0, help_text="Raised by every decision, as its first write: "
                                                                   "the write that takes the lock on SQLite.")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan_id", "investment"], name="investment_fund_one_per_plan"),
            models.CheckConstraint(condition=models.Q(allocated__lte=models.F("total")),
                                   name="investment_fund_allocated_within_total"),
            models.CheckConstraint(condition=models.Q(allocated__gte=0) & models.Q(total__gte=0),
                                   name="investment_fund_amounts_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.investment}: {self.allocated} of {self.total}"

    @property
    def remaining(self) -> int:
        return self.total - self.allocated


class CaseDecision(models.Model):
    """One decision on a business case, made through the application: what, by whom, when and why."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="decisions")
    case_id = models.CharField(max_length=100, help_text="The business case's id in portfolio.yaml.")
    action = models.CharField(max_length=10, choices=[(a, a) for a in ACTIONS])
    amount = models.BigIntegerField(null=True, blank=True, help_text="Whole pounds: the amount approved "
                                                                     "(an approval only).")
    who = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                            related_name="case_decisions", help_text="Null once the account is removed.")
    by = models.CharField(max_length=150, help_text="Who made it, by name, kept if the account goes.")
    at = models.DateTimeField(db_index=True)
    reason = models.TextField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="investment_decision_has_a_reason"),
            models.CheckConstraint(condition=models.Q(action__in=ACTIONS), name="investment_decision_action_known"),
            models.CheckConstraint(condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                                   name="investment_decision_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}: {self.action} {self.case_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("a decision on a business case is never changed once recorded")
        if not self.reason.strip():
            raise ValueError("a decision on a business case needs a reason")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("a decision on a business case is never deleted")
