from django.core.management.base import BaseCommand, CommandParser

from ventures.demo import demo_seed


class Command(BaseCommand):
    help = "Create the demo user, team and venture (idempotent) and print the login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", help="Use this password instead of a random one.")

    def handle(self, *args: object, password: str | None = None, **options: object) -> None:
        login = demo_seed(password=password)
        self.stdout.write(f"Demo login: username {login.username}  password {login.password}")
