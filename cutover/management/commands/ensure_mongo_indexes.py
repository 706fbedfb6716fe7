from django.core.management.base import BaseCommand, CommandParser

from cutover.mongo_indexes import ensure_mongo_indexes


class Command(BaseCommand):
    help = (
        "Create the Mongo indexes the legacy app relies on, including the TTL indexes that expire "
        "temp verifications, telegram sessions and notifications while a domain is in mongo mode. "
        "Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("domains", nargs="*", help="only these domains (default: all)")

    def handle(self, *args, domains: list[str], **options) -> None:
        for line in ensure_mongo_indexes(domains=domains or None):
            self.stdout.write(line)
