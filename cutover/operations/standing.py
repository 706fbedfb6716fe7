"""Where each domain stands at a glance, for the incident-first dashboard: done, in progress, or with incidents.

- **done**: in `postgres` with every completion check passing (cutover.operations.cutover_check, per domain).
  What a roll back to `dual` would still need (its blockers) is shown as that, never as a failure.
- **incident**: something is wrong now, whatever the step: dead mirror writes and open backfill rejects
  (critical: a store lacks records), a stuck pending mirror write, a late purge, a failed latest verify, shadow
  mismatches in a dual mode (the last 24 h, or a rate over its threshold: cutover.operations.alarms) (warning).
- **in progress**: the rest; what it needs next is its next step's blockers, not incidents.

In the dual modes a standing also carries its shadow-read mismatch rate and each store's latency
(cutover.operations.store_latency), side by side as LaunchDarkly's consistency view shows them.

Standings sort incidents first (critical before warning), then domains in progress, then those done, each group in
the cutover's domain order. Nothing here is computed twice: items come from readiness, rates and deployment-wide
alarms (a late task, the relay down) from alarms.
"""

from dataclasses import dataclass

from cutover.modes.store_mode import StoreMode
from cutover.operations.alarms import CRITICAL, SEVERITY_ORDER, WARNING, Alarm, MismatchRate
from cutover.operations.readiness import Blocker, Readiness
from cutover.operations.store_latency import StoreLatency, store_latencies

DONE, IN_PROGRESS, INCIDENT = "done", "in progress", "incident"
STATE_ORDER = {INCIDENT: 0, IN_PROGRESS: 1, DONE: 2}
INCIDENT_ITEMS = {"outbox_dead": CRITICAL, "rejects": CRITICAL, "outbox_pending": WARNING, "purge": WARNING}


@dataclass(frozen=True)
class Incident:
    severity: str
    what: str  # one line, for the summary
    fix: str
    item_key: str = ""  # the checklist item it comes from (its filtered list), "" for an alarm


@dataclass(frozen=True)
class Standing:
    readiness: Readiness
    state: str  # DONE, IN_PROGRESS or INCIDENT
    incidents: tuple[Incident, ...]  # the most severe first
    rollback_needs: tuple[Blocker, ...]  # for a domain done: what a roll back would need
    mismatch: MismatchRate | None  # in the dual modes: the shadow-read mismatch rate of the alarm window
    latency: tuple[StoreLatency, ...] = ()  # in the dual modes: each store's latency (store_latency)

    @property
    def domain(self) -> str:
        return self.readiness.domain

    @property
    def severity(self) -> str:
        return self.incidents[0].severity if self.incidents else ""


@dataclass(frozen=True)
class Overview:
    standings: tuple[Standing, ...]  # incidents first
    deployment_alarms: tuple[Alarm, ...]  # not about one domain: a late task, the relay down

    def count(self, state: str) -> int:
        return sum(1 for standing in self.standings if standing.state == state)

    @property
    def line(self) -> str:
        """"8 domains: 1 done, 6 in progress, 1 with incidents (1 critical)" and the deployment's alarms."""
        critical = sum(1 for standing in self.standings if standing.severity == CRITICAL)
        with_incidents = f"{self.count(INCIDENT)} with incidents" + (f" ({critical} critical)" if critical else "")
        parts = [f"{self.count(DONE)} done", f"{self.count(IN_PROGRESS)} in progress", with_incidents]
        line = f"{len(self.standings)} domains: {', '.join(parts)}"
        if self.deployment_alarms:
            line += f"; {len(self.deployment_alarms)} deployment alarm(s)"
        return line


def cutover_overview(readinesses: list[Readiness]) -> Overview:
    """The standing of each domain (readinesses in the cutover's domain order), incidents first."""
    from django.utils import timezone

    from cutover.operations.alarms import current_alarms, mismatch_rates

    now = timezone.now()
    modes = {readiness.domain: readiness.mode for readiness in readinesses}
    alarms = current_alarms(modes, now=now)
    rates = {rate.domain: rate for rate in mismatch_rates(modes, now)}
    latencies = store_latencies({domain for domain, mode in modes.items() if mode.is_dual})
    standings = [
        _standing(readiness, alarms, rates.get(readiness.domain), latencies.get(readiness.domain, ()))
        for readiness in readinesses
    ]
    order = {readiness.domain: index for index, readiness in enumerate(readinesses)}
    standings.sort(
        key=lambda s: (STATE_ORDER[s.state], SEVERITY_ORDER.get(s.severity, len(SEVERITY_ORDER)), order[s.domain])
    )
    domains = set(modes)
    deployment = tuple(alarm for alarm in alarms if alarm.subject not in domains)
    return Overview(tuple(standings), deployment)


def _standing(
    readiness: Readiness, alarms: list[Alarm], rate: MismatchRate | None, latency: tuple[StoreLatency, ...]
) -> Standing:
    incidents = _incidents(readiness, [alarm for alarm in alarms if alarm.subject == readiness.domain])
    if incidents:
        state = INCIDENT
    elif readiness.mode is StoreMode.POSTGRES and _complete(readiness.domain):
        state = DONE
    else:
        state = IN_PROGRESS
    roll_back = readiness.roll_back
    needs = roll_back.blockers if (state == DONE and roll_back is not None) else ()
    dual = readiness.mode.is_dual
    return Standing(readiness, state, incidents, needs, rate if dual else None, latency if dual else ())


def _incidents(readiness: Readiness, alarms: list[Alarm]) -> tuple[Incident, ...]:
    from cutover.operations.evidence import latest_verify

    found = [
        Incident(INCIDENT_ITEMS[item.key], f"{item.label}: {item.detail}", item.fix, item.key)
        for item in readiness.checklist
        if not item.ok and item.key in INCIDENT_ITEMS
    ]
    verify = readiness.item("verify")
    if not verify.ok and (latest := latest_verify(readiness.domain)) is not None and not latest.passed:
        found.append(Incident(WARNING, f"{verify.label}: {verify.detail}", verify.fix, "verify"))
    mismatches = readiness.item("mismatches")
    if not mismatches.ok and readiness.mode.is_dual:  # shadow reads run only there: older ones are history
        found.append(Incident(WARNING, f"{mismatches.label}: {mismatches.detail}", mismatches.fix, "mismatches"))
    reported = {incident.item_key for incident in found}
    for alarm in alarms:
        if alarm.kind == "outbox_dead" and "outbox_dead" in reported:
            continue  # the checklist item says the same, with its list
        found.append(Incident(alarm.severity, alarm.message, alarm.fix))
    return tuple(sorted(found, key=lambda incident: SEVERITY_ORDER[incident.severity]))


def _complete(domain: str) -> bool:
    from cutover.operations.cutover_check import domain_checks

    return all(check.ok for check in domain_checks(domain))
