"""What plan editing stores: each version of a plan as its whole folder, and the comments made in consultation.

A :class:`PlanVersion` holds every text file of the plan folder (``files``: path in the folder →
text), so that a version can be shown, compared and exported as a plan folder exactly.  Its
workflow status moves draft → consultation → approved → published (and a published version
becomes superseded when another is published).  The rules of that workflow, and who may take
each step, are :mod:`policingplan.web.editing.rules`; the changes themselves go through
:mod:`policingplan.web.editing.store`, which refuses to change an approved or published version.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models

from policingplan.web.editing import rules


def files_hash(files: dict) -> str:
    """The SHA-256 of a folder's files (names and texts), the same for the same files in any order."""
    text = json.dumps(files, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PlanVersion(models.Model):
    """One version of a plan: its label, its workflow status and the whole plan folder as files."""

    plan_id = models.CharField(max_length=100, db_index=True, help_text="The plan's id: 'london-2023-24'.")
    label = models.CharField(max_length=40, help_text="The version label, as plan.yaml gives it: '1.1'.")
    status = models.CharField(max_length=20, choices=[(s, rules.STATUS_NAMES[s]) for s in rules.STATUSES],
                              default=rules.DRAFT, db_index=True)
    files = models.JSONField(help_text="Every text file of the plan folder: path in the folder → text.")
    content_hash = models.CharField(max_length=64, help_text="The SHA-256 of the files (models.files_hash).")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               help_text="The version this one was started from; none for one imported.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="plan_versions")
    created_by_name = models.CharField(max_length=150, help_text="Who started it ('system' for an import).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by_name = models.CharField(max_length=150, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    revision = models.PositiveIntegerField(default=1, help_text="Counts every change to the files or the status.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan_id", "label"], name="plan_version_label_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.label} ({self.status})"

    @property
    def status_name(self) -> str:
        return rules.STATUS_NAMES.get(self.status, self.status)

    @property
    def locked(self) -> bool:
        """True once approved: an approved, published or superseded version is never changed."""
        return rules.is_locked(self.status)


class Comment(models.Model):
    """A comment made on a version in consultation: on one measure, or on the whole plan (``measure`` blank)."""

    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="comments")
    who = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                            related_name="plan_comments")
    who_name = models.CharField(max_length=150)
    role = models.CharField(max_length=60, blank=True, default="", help_text="The commenter's role, at the time.")
    when = models.DateTimeField(auto_now_add=True, db_index=True)
    measure = models.CharField(max_length=100, blank=True, default="", help_text="Blank: the whole plan.")
    text = models.TextField()

    class Meta:
        ordering = ["when", "id"]
        constraints = [models.CheckConstraint(condition=~models.Q(text=""), name="comment_has_text")]

    def __str__(self) -> str:
        return f"{self.who_name} on {self.version}: {self.text[:40]}"
