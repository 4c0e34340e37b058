"""``python -m policingplan.web create_demo_accounts``: the demo accounts, with their passwords shown once."""

from django.core.management.base import BaseCommand

from policingplan.web import figures, roles
from policingplan.web.demo import create_demo_accounts


class Command(BaseCommand):
    help = ("Create (or reset) the demo accounts: member, performance, investment, admin and commander-<borough> "
            "for each borough of the plan. Passwords are generated and shown once, or all are "
            "$POLICINGPLAN_DEMO_PASSWORD when it is set.")

    def handle(self, *args, **options):
        plan = figures.plan()
        accounts = create_demo_accounts(plan)
        width = max(len(a.username) for a in accounts)
        self.stdout.write(f"Demo accounts for {plan.name} ({len(accounts)}); the passwords are shown only now:")
        self.stdout.write("")
        for account in accounts:
            role = roles.ROLES[account.role].name
            self.stdout.write(f"  {account.username:<{width}}  {account.password}  {role}")
        self.stdout.write("")
