from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts.models import User
from analysis.demo import demo_dataset_seed
from canvas.demo import demo_canvases_seed
from evidence.demo import demo_evidence_seed
from strategy.demo import demo_strategy_seed
from ventures.demo import demo_seed, demo_venture


class Command(BaseCommand):
    help = "Create the demo user, team, venture, canvases, strategy views, dataset and models (idempotent); print the login."

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
        self.stdout.write(f"Demo login: username {login.username}  password {login.password}")
