from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from takeout.exports import team_export_stream
from teams.models import Team


def team_find(reference: str) -> Team:
    """A team by id, or by its name's slug (refused if two teams share it)."""
    if reference.isdigit():
        team = Team.objects.filter(pk=int(reference)).first()
        if team is None:
            raise CommandError(f"No team with id {reference}.")
        return team
    wanted = slugify(reference, allow_unicode=True)
    matches = [team for team in Team.objects.all() if slugify(team.name, allow_unicode=True) == wanted]
    if len(matches) != 1:
        found = ", ".join(f"{team.pk} ({team.name})" for team in matches)
        raise CommandError(f"{len(matches)} teams match {reference!r}{': ' + found if found else ''}; give the team's id.")
    return matches[0]


class Command(BaseCommand):
    help = (
        "Write a team's data (ventures, canvases, strategy views, datasets' metadata and reports, analyses' parameters "
        "and results) as a zip of JSON and CSV files; --with-data adds each ready dataset's normalised events as Parquet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("team", help="The team's id, or its name's slug.")
        parser.add_argument("--output", "-o", required=True, help="Path of the zip to write.")
        parser.add_argument("--with-data", action="store_true", help="Include each ready dataset's events (Parquet).")
        parser.add_argument("--language", default="en", help="Language of the block names in the CSVs (en or zh-hans).")

    def handle(self, *args: object, team: str, output: str, with_data: bool, language: str, **options: object) -> None:
        found = team_find(team)
        path = Path(output)
        partial = path.with_name(path.name + ".partial")
        size = 0
        try:
            with partial.open("wb") as target:
                for chunk in team_export_stream(team=found, with_data=with_data, language=language):
                    target.write(chunk)
                    size += len(chunk)
            partial.replace(path)  # a reader never sees half a zip under the final name
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(f"Wrote {path} ({size} bytes) for team {found.pk} ({found.name}).")
