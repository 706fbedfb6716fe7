import random
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.module_loading import import_string

from cutover.mirror.dispatch import dispatcher
from cutover.modes.cache import current_mode
from cutover.modes.registry import domains_in_dependency_order


class Command(BaseCommand):
    help = (
        "Create a realistic demo data set in every registered domain, parents first, through the "
        "repository factory, so it lands in whichever store(s) each domain's mode selects."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=100, help="records per domain (default 100)")
        parser.add_argument("--seed", type=int, default=None, help="random seed, for a repeatable data set")

    def handle(self, *args, size: int, seed: int | None, **options) -> None:
        if size < 1:
            raise CommandError("--size must be at least 1")
        rng = random.Random(seed)
        context: dict = {}  # what earlier seeders created, for later ones to refer to
        for spec in domains_in_dependency_order():
            if not spec.demo_seeder:
                continue
            started = time.monotonic()
            written = import_string(spec.demo_seeder)(size=size, rng=rng, context=context)
            self.stdout.write(
                f"{spec.name}: {written} records into {current_mode(spec.name).value} "
                f"in {time.monotonic() - started:.1f}s"
            )
        dispatcher.drain(timeout=30)  # let background mirror writes land before the process exits
