"""Orphans whose parent document is itself rejected.

One rejected user would otherwise hide behind hundreds of rejects that each say only
"not found" (its offers, requests, payments, ledger entries, disputes). Each such orphan
names the rejected parent and that parent's reason, and records it in `blocked_by`, so the
reject list can be read from its root causes: fix those, rerun, and the subtree comes in.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import models
from django.db.models.functions import Lower

from cutover.models import BackfillReject
from cutover.modes.registry import DomainSpec, domain_names, domain_spec

_PARENT_REASON_CHARS = 300  # enough to read the cause; the parent's own reject has the rest


@dataclass(frozen=True)
class OrphanExplanation:
    reason: str
    blocked_by: str  # "collection/_id" of the rejected parent; "" when a parent is simply missing (a root cause)


def explain_orphans(
    spec: DomainSpec, collection: str, records: dict[str, Any], orphan_ids: list[str]
) -> dict[str, OrphanExplanation]:
    """For each orphan: every reference whose parent row is missing, and whether that parent is rejected."""
    if not orphan_ids:
        return {}
    model = spec.postgres_model(collection)
    keys = {f.name: f.key for f in spec.record_map(collection).fields}
    references = [f for f in model._meta.concrete_fields if f.is_relation]
    orphans = [records[record_id] for record_id in orphan_ids if record_id in records]
    missing = {
        fk.attname: _missing_parents(fk, {getattr(r, fk.attname) for r in orphans} - {None}) for fk in references
    }
    rejected = {fk.attname: _rejected_parents(fk.related_model, missing[fk.attname]) for fk in references}
    explained = {}
    for record in orphans:
        parts, blocked_by = [], []
        for fk in references:
            value = getattr(record, fk.attname)
            if value not in missing[fk.attname]:
                continue
            key, parent = keys.get(fk.attname, fk.attname), rejected[fk.attname].get(value)
            if parent is None:
                parts.append(f"{key} {value} not found in {fk.related_model._meta.db_table}")
                continue
            parts.append(f"{key} {value} is rejected ({_describe(parent)})")
            blocked_by.append(parent)
        if parts:
            root_cause = len(blocked_by) < len(parts)  # a parent that is missing and not rejected needs a look itself
            explained[record.id] = OrphanExplanation(
                "orphan: " + "; ".join(parts), "" if root_cause else _nearest_root(blocked_by)
            )
    return explained


def _missing_parents(fk: models.Field, values: set[str]) -> set[str]:
    if not values:
        return set()
    present = fk.related_model._default_manager.filter(pk__in=values).values_list("pk", flat=True)
    return values - set(present)


def _rejected_parents(model: type[models.Model], ids: set[str]) -> dict[str, BackfillReject]:
    """Unresolved rejects of these parent ids, by the normalized (lowercase) id the child refers to."""
    collection = collection_of_model(model._meta.label)
    if not ids or collection is None:
        return {}
    rejects = (
        BackfillReject.objects.filter(collection=collection, status__in=BackfillReject.UNRESOLVED)
        .annotate(normalized_id=Lower("record_id"))
        .filter(normalized_id__in=ids)
        .only("collection", "record_id", "kind", "reason", "blocked_by")
    )
    return {reject.normalized_id: reject for reject in rejects}


@cache
def collection_of_model(label: str) -> str | None:
    """The Mongo collection a Postgres model holds ("accounts.User" -> "users"), across all domains."""
    for name in domain_names():
        spec = domain_spec(name)
        for collection in spec.collections:
            if spec.postgres_model(collection)._meta.label == label:
                return collection
    return None


def _nearest_root(parents: list[BackfillReject]) -> str:
    """Of the rejected parents, one that is a root cause itself if any (the fix that unblocks most)."""
    parent = next((p for p in parents if not p.blocked_by), parents[0])
    return f"{parent.collection}/{parent.record_id}"


def _describe(parent: BackfillReject) -> str:
    reason = parent.reason
    if len(reason) > _PARENT_REASON_CHARS:
        reason = reason[:_PARENT_REASON_CHARS] + "…"
    kind = "" if reason.startswith(f"{parent.kind}:") else f"{parent.kind} "  # "orphan: …" says it already
    return f"{parent.collection}/{parent.record_id}: {kind}{reason}"
