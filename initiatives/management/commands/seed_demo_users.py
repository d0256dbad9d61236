from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from django.contrib.auth.models import Group

from initiatives import services
from initiatives.apps import OBSERVERS
from initiatives.models import Mission, Workstream

# Known passwords are the point of demo accounts, and the reason this refuses to run unless
# DEBUG is on: a production database must never hold them.
DEMO_ACCOUNTS = (
    ("admin", "admin-demo-2026", "Administrateur"),
    ("coordinatrice", "coordination-demo-2026", "Coordinatrice"),
    ("observatrice", "observation-demo-2026", "Observatrice"),
    ("lecteur", "lecture-demo-2026", "Lecteur"),
)
# The coordinator is assigned to the workstreams of one mission, so both sides of the
# permission line can be tried.
COORDINATED_MISSION = "mission-numerique-grands-groupes"


class Command(BaseCommand):
    help = "Create the demo accounts (development only: refuses to run unless DEBUG is on)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo accounts exist only in development: set DEBUG=1.")
        User = get_user_model()
        users = {}
        for username, password, first_name in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name = first_name
            user.email = f"{username}@demo.invalid"
            user.is_staff = user.is_superuser = username == "admin"
            user.set_password(password)
            user.save()
            users[username] = user
        # The observer assesses; she coordinates nothing, so she may assess everything.
        users["observatrice"].groups.add(Group.objects.get(name=OBSERVERS))
        workstreams = Workstream.objects.filter(mission__key=COORDINATED_MISSION)
        for workstream in workstreams:
            workstream.coordinators.add(users["coordinatrice"])
        # The reader follows that mission: its deadline alerts, and the coordinator's edits
        # (within a minute, beat's followers' pass), reach their bell; and their digest.
        followed = Mission.objects.filter(key=COORDINATED_MISSION).first()
        if followed is not None:
            services.follow(users["lecteur"], followed)
        self.stdout.write("Demo accounts:")
        for username, password, first_name in DEMO_ACCOUNTS:
            self.stdout.write(f"  {first_name:15} login: {username:14} password: {password}")
        self.stdout.write(
            f"  (coordinatrice coordinates the {workstreams.count()} workstreams of {COORDINATED_MISSION})"
        )
        if followed is not None:
            self.stdout.write(f"  (lecteur follows {COORDINATED_MISSION})")
