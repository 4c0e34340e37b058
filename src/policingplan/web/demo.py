"""Demo accounts: one per role, and a borough commander for each borough of the plan.

``member`` (viewer), ``performance``, ``investment``, ``admin`` (administrator)
and ``commander-<borough>`` (``commander-lambeth``). Each gets a generated
password, shown once by the command that made it; with
``POLICINGPLAN_DEMO_PASSWORD`` set, every account has that password instead
(for training rooms and tests). Running it again resets the passwords.
"""

from __future__ import annotations

import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from policingplan.web import roles
from policingplan.web.present import slug

#: Letters and digits that cannot be mistaken for one another when read aloud or copied from a screen.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    borough: str | None
    password: str


def generated_password() -> str:
    """Four groups of four: ``k7mq-2xfa-p9rt-hw3e`` (about 79 bits)."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(4))


def demo_accounts(plan, password: str | None = None) -> list[DemoAccount]:
    """The accounts to make for ``plan`` (a :class:`~policingplan.plan.model.Plan`), with their passwords."""
    password = password if password is not None else os.environ.get("POLICINGPLAN_DEMO_PASSWORD") or None

    def new() -> str:
        return password if password is not None else generated_password()

    accounts = [DemoAccount("member", roles.VIEWER, None, new()),
                DemoAccount("performance", roles.PERFORMANCE, None, new()),
                DemoAccount("investment", roles.INVESTMENT, None, new()),
                DemoAccount("admin", roles.ADMINISTRATOR, None, new())]
    accounts += [DemoAccount(f"commander-{slug(unit.name)}", roles.COMMANDER, slug(unit.name), new())
                 for unit in plan.units]
    return accounts


def create_demo_accounts(plan, password: str | None = None) -> list[DemoAccount]:
    """Make (or reset) the demo accounts and the groups of their roles; returns them with their passwords."""
    accounts = demo_accounts(plan, password)
    distinct = sorted({a.password for a in accounts})
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:  # hashing is slow on purpose
        hashed = dict(zip(distinct, pool.map(make_password, distinct)))
    users = get_user_model()
    with transaction.atomic():
        groups = {role: Group.objects.get_or_create(name=role)[0] for role in roles.ROLES}
        for account in accounts:
            user, _ = users.objects.get_or_create(username=account.username)
            user.password = hashed[account.password]
            user.is_active = True
            user.save()
            wanted = [groups[account.role]]
            if account.borough:
                wanted.append(Group.objects.get_or_create(name=roles.BOROUGH_GROUP_PREFIX + account.borough)[0])
            user.groups.set(wanted)
    return accounts
