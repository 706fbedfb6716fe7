import random
import time

from django.core.management.base import CommandError, CommandParser
from django.utils.module_loading import import_string

from cutover.management.arguments import ProjectCommand, positive_int, require_mongo
from cutover.mirror.dispatch import dispatcher
from cutover.modes.cache import current_mode
from cutover.modes.registry import domains_in_dependency_order
from cutover.store.backends.errors import UniqueConflict


class Command(ProjectCommand):
    help = (
        "Create a realistic demo data set in every registered domain, parents first, through the "
        "repository factory, so it lands in whichever store(s) each domain's mode selects."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=positive_int, default=100, help="records per domain (default 100)")
        parser.add_argument("--seed", type=int, default=None, help="random seed, for a repeatable data set")

    def handle(self, *args, size: int, seed: int | None, **options) -> None:
        specs = [spec for spec in domains_in_dependency_order() if spec.demo_seeder]
        if any(current_mode(spec.name).writes_mongo for spec in specs):
            require_mongo(what="nothing was seeded")
        rng = random.Random(seed)
        context: dict = {}  # what earlier seeders created, for later ones to refer to
        for spec in specs:
            started = time.monotonic()
            try:
                written = import_string(spec.demo_seeder)(size=size, rng=rng, context=context)
            except UniqueConflict as conflict:
                again = f"--seed {seed} was seeded before" if seed is not None else "a demo record is already there"
                raise CommandError(
                    f"{spec.name}: {again} ({conflict}); pass another --seed, or none for a new data set"
                ) from None
            self.stdout.write(
                f"{spec.name}: {written} records into {current_mode(spec.name).value} "
                f"in {time.monotonic() - started:.1f}s"
            )
        dispatcher.drain(timeout=30)  # let background mirror writes land before the process exits
