#!/usr/bin/env bash
# Mutation testing of the modules that carry the README's guarantees, with mutmut (configured in pyproject.toml,
# [tool.mutmut]). Slow (tens of minutes for the core set on two cores), so it is not part of CI's default run.
#
#   bash scripts/mutation.sh              the core set: dual writes, backfill runner, verify, preconditions, purges
#   bash scripts/mutation.sh all          every mutable module: cutover/ and each domain's repositories/mapping.py
#   bash scripts/mutation.sh 'cutover.backfill.verify.*'   mutants by name pattern (as `mutmut results` prints them)
#
# Then: `.venv/bin/mutmut results` lists the survivors, `.venv/bin/mutmut show NAME` shows one as a diff.
# A rerun only tests the mutants that have no verdict yet or survived last time (MUTATION_RERUN_ALL=1: all of them
# again); `rm -rf mutants` starts over.
#
# The tests run against DATABASE_URL's server in a database of their own, <name>_mutation (pytest-django makes
# test_<name>_mutation and keeps it between mutants), so a test run beside this one is not disturbed. Without
# DATABASE_URL they use the embedded server under .data/. One mutant at a time: they share that one database.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh

if [ -n "${DATABASE_URL:-}" ]; then
  DATABASE_URL="$(.venv/bin/python -c '
import os, urllib.parse as u
url = u.urlsplit(os.environ["DATABASE_URL"])
print(u.urlunsplit(url._replace(path=url.path.rstrip("/") + "_mutation")))')"
  export DATABASE_URL
else
  export ESCROW_DATA_DIR="${ESCROW_DATA_DIR:-$PWD/.data}"  # the tests run from mutants/: keep one embedded server
fi
export CUTOVER_LOG_LEVEL="${CUTOVER_LOG_LEVEL:-WARNING}"

CORE=(
  'cutover.mirror.dual.*' 'cutover.backfill.runner.*' 'cutover.backfill.verify.*' 'cutover.operations.preconditions.*' 'cutover.scheduled.purge.*'
  'accounts.services.x_purge_*' 'notifications.services.x_purge_*'
)
case "${1:-core}" in
  core) patterns=("${CORE[@]}") ;;
  all) patterns=() ;;
  *) patterns=("$@") ;;
esac

status=0
if [ "${#patterns[@]}" -gt 0 ] && [ -d mutants ] && [ -z "${MUTATION_RERUN_ALL:-}" ]; then
  # mutmut reruns every mutant a pattern names: name only those without a verdict, or that survived last time
  mapfile -t pending < <(.venv/bin/python scripts/mutation_score.py --pending "${patterns[@]}")
  if [ "${#pending[@]}" -gt 0 ]; then
    .venv/bin/mutmut run --max-children 1 "${pending[@]}" || status=$?
  fi
else
  .venv/bin/mutmut run --max-children 1 "${patterns[@]}" || status=$?
fi
.venv/bin/python scripts/mutation_score.py "${patterns[@]}"
exit "$status"
