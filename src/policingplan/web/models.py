"""What the web application stores of its own: the audit trail.

Users and their roles are Django's own (``auth.User`` and ``auth.Group``: a
group per role, named as in :data:`policingplan.web.roles.ROLES`, and a
commander's borough as a group ``borough:<slug>``).  The plan and its figures
are not stored here: they come from the plan folder and the warehouse, through
the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Audit entries in bulk: ``update()`` and ``delete()`` refuse, as the database's triggers
    do (policingplan.web.append_only), but for the one change a user's deletion makes (the
    account link set to nothing: ``update(who=None)``)."""

    def update(self, **kwargs):
        if set(kwargs) <= {"who", "who_id"} and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise ValueError("an audit entry is never changed once recorded")

    def delete(self):
        raise ValueError("an audit entry is never deleted")

    delete.alters_data = True
    delete.queryset_only = True


class AuditEntry(models.Model):
    """One change: who made it, when, what it was, why, and what it was made to.

    Entries are only ever added: :meth:`save` refuses to change one that is stored,
    :meth:`delete` refuses to remove one, and so do ``update()`` and ``delete()`` on a
    query of them; the database's triggers refuse both too, whatever the client
    (policingplan.web.append_only, migration 0002).
    """

    objects = AppendOnlyQuerySet.as_manager()

    who = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                            related_name="audit_entries", help_text="Null once the account is removed.")
    who_name = models.CharField(max_length=150, help_text="The username at the time, kept if the account goes.")
    when = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=60, help_text="What was done, as a stable code: 'target.edit'.")
    what = models.TextField(help_text="The change in words: 'Lambeth neighbourhood crime: 4,500 to 4,400'.")
    why = models.TextField(help_text="The reason given; every change needs one.")
    object_type = models.CharField(max_length=60, help_text="What was changed: 'target', 'plan', 'account'.")
    object_id = models.CharField(max_length=200, help_text="Which one: 'neighbourhood-crime/E09000022'.")
    plan_id = models.CharField(max_length=100, blank=True, default="")
    plan_version = models.CharField(max_length=40, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-when", "-id"]
        verbose_name_plural = "audit entries"
        constraints = [models.CheckConstraint(condition=~models.Q(why=""), name="audit_entry_has_a_reason")]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.who_name}: {self.what}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError("an audit entry is never changed once recorded")
        if not self.why.strip():
            raise ValueError("an audit entry needs a reason")
        if self.who is not None and not self.who_name:
            self.who_name = self.who.get_username()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("an audit entry is never deleted")
