from datetime import timedelta

from django.core.management.base import BaseCommand, CommandParser

from datasets.orphans import storage_orphans_sweep


class Command(BaseCommand):
    help = (
        "Delete files under datasets/ and analyses/ in storage that no dataset or analysis references and that are "
        "older than the grace period; print the counts. --dry-run lists them and deletes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grace-hours", type=float, default=24.0, help="Keep unreferenced files younger than this (default 24).")
        parser.add_argument("--dry-run", action="store_true", help="List the orphans, delete nothing.")

    def handle(self, *args: object, grace_hours: float, dry_run: bool, **options: object) -> None:
        outcome = storage_orphans_sweep(grace=timedelta(hours=grace_hours), dry_run=dry_run)
        for name in outcome.orphans:
            self.stdout.write(f"orphan: {name}")
        self.stdout.write(
            f"scanned {outcome.scanned}, referenced {outcome.referenced}, younger than the grace period {outcome.recent}, "
            f"orphaned {len(outcome.orphans)}, deleted {outcome.deleted}" + (" (dry run)" if dry_run else "")
        )
