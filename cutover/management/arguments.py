"""What every management command of the project shares about its input: argparse types that refuse a bad
value before anything runs, the `--all` or named domains choice, a parser whose errors are one line, and
a check that Mongo answers before a command that needs it changes anything.

A refusal is one line on stderr and a non-zero exit status: 2 for a bad argument (argparse's convention),
1 for a refused or failed run (CommandError's default).
"""

import argparse
import math
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cutover.modes.registry import UnknownDomain, domain_spec, domains_in_dependency_order


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number above 0 (0 would mean "at once" or "never stop", a negative one nothing sane)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a number above 0, got {text}")
    return value


def known_domain(text: str) -> str:
    """A registered store domain's name."""
    try:
        return domain_spec(text).name
    except UnknownDomain as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_domain_selection(parser: CommandParser, *, verb: str) -> None:
    """Named domains or --all (exactly one of the two); see selected_domains."""
    parser.add_argument("domains", nargs="*", type=known_domain, help=f"domains to {verb}")
    parser.add_argument("--all", action="store_true", help="every domain, parents first")


def selected_domains(domains: list[str], everything: bool, *, verb: str) -> list:
    """The DomainSpecs asked for, parents first."""
    if everything == bool(domains):
        raise CommandError(f"name the domains to {verb}, or pass --all (not both)", returncode=2)
    return [spec for spec in domains_in_dependency_order() if everything or spec.name in domains]


def first_line(error: BaseException, limit: int = 300) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:limit]


def migration_mongo_url() -> str:
    """Where backfills and verify read: MIGRATION_MONGO_URL, else MONGO_URL."""
    from django.conf import settings

    return settings.MIGRATION_MONGO_URL or settings.MONGO_URL


def require_mongo(*, url: str | None = None, what: str) -> None:
    """Refuse before anything is written when Mongo does not answer (one ping, the client's own timeout)."""
    from pymongo.errors import PyMongoError

    from escrow_project.mongo import MongoDisabled, mongo_database

    try:
        mongo_database(url).command("ping")
    except (PyMongoError, MongoDisabled) as error:
        raise CommandError(f"MongoDB is unreachable, {what}: {first_line(error, 200)}") from None


class OneLineParser(CommandParser):
    """argparse prints its usage before an error; a refusal here is the error alone, on one line."""

    def error(self, message):
        if not self.called_from_command_line:
            super().error(message)  # CommandError("Error: ..."): call_command's callers see one line too
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        sys.exit(2)


class OneLineErrors:
    """Mixed into a command (before its BaseCommand class): argument errors in one line."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = OneLineParser
        return parser


class ProjectCommand(OneLineErrors, BaseCommand):
    """The project's commands: one-line argument errors."""
