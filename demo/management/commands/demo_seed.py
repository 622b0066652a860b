from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from analysis.demo import demo_dataset_seed
from canvas.demo import BMC_TITLE, demo_canvases_seed
from dashboards.demo import demo_dashboard_seed
from evidence.demo import demo_evidence_seed
from strategy.demo import demo_strategy_seed
from ventures.demo import demo_seed, demo_venture


class Command(BaseCommand):
    help = "Create the demo user, team, venture, canvases, strategy views, dataset, models and dashboard (idempotent); print the login and a share link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="Use this password instead of a random one.")

    @transaction.atomic
    def handle(self, *args: object, password: str | None = None, **options: object) -> None:
        login = demo_seed(password=password)
        user = User.objects.get(username=login.username)
        venture = demo_venture(user=user)
        demo_canvases_seed(user=user, venture=venture)
        demo_strategy_seed(user=user, venture=venture)
        demo_dataset_seed(user=user, venture=venture)
        demo_evidence_seed(user=user, venture=venture)
        token = demo_dashboard_seed(user=user, venture=venture, canvas_title=BMC_TITLE)
        self.stdout.write(f"Demo login: username {login.username}  password {login.password}")
        self.stdout.write(f"Demo share link (no login; path on this server): {reverse('shared:page', args=[token])}")
