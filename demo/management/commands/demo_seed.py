from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from analysis.demo import demo_dataset_seed
from canvas.demo import TITLES, demo_canvases_seed
from dashboards.demo import demo_dashboard_seed
from economics.demo import demo_spend_seed
from evidence.demo import demo_evidence_seed
from strategy.demo import demo_strategy_seed
from ventures.demo import DEMO_LANGUAGES, demo_seed, demo_venture


class Command(BaseCommand):
    help = "Create the demo user, team, venture, canvases, strategy views, dataset, models, marketing spend and dashboard (idempotent); print the login and a share link."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="Use this password instead of a random one.")
        parser.add_argument(
            "--language",
            choices=DEMO_LANGUAGES,
            default="en",
            help="The demo's language: its content, and the account's interface (zh-hans: all in Chinese).",
        )

    @transaction.atomic
    def handle(self, *args: object, password: str | None = None, language: str = "en", **options: object) -> None:
        with translation.override(language):  # what the seed writes in words (segment names, canvas notes) too
            login = demo_seed(password=password, language=language)
            user = User.objects.get(username=login.username)
            venture = demo_venture(user=user, language=language)
            demo_canvases_seed(user=user, venture=venture, language=language)
            demo_strategy_seed(user=user, venture=venture, language=language)
            demo_dataset_seed(user=user, venture=venture, language=language)
            demo_spend_seed(user=user, venture=venture, language=language)
            demo_evidence_seed(user=user, venture=venture, language=language)
            token = demo_dashboard_seed(user=user, venture=venture, canvas_title=TITLES[language][0], language=language)
        self.stdout.write(f"Demo login: username {login.username}  password {login.password}")
        self.stdout.write(f"Demo share link (no login; path on this server): {reverse('shared:page', args=[token])}")
