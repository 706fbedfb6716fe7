"""Which row holds the unique value a refused row wanted, so a unique_clash reject names the first document.

Postgres' detail names the key and its value ("Key (translate(btrim(email ...)))=(bob@example.com) already
exists"), not the row: with values compared by a folded key (cutover.store.folded_keys), an operator could
not tell which legacy document won. The constraint is found by the name the database reports, and the
holder by the constraint's own fields or expressions, evaluated on the refused record's values.
"""

import copy
from typing import Any

from django.db import models


def unique_holder(model: type[models.Model], constraint_name: str | None, record: Any) -> str | None:
    """The primary key of the row of `model` that holds `record`'s value of the unique constraint, or None."""
    constraint = next(
        (c for c in model._meta.constraints if c.name == constraint_name and isinstance(c, models.UniqueConstraint)),
        None,
    )
    rows = model.objects.exclude(pk=record.id)
    if constraint is None:
        field = next(
            (
                f
                for f in model._meta.concrete_fields
                if f.unique
                and not f.primary_key
                and constraint_name
                and constraint_name.startswith(f"{model._meta.db_table}_{f.column}")
            ),
            None,
        )
        if field is None:
            return None
        return _first(rows.filter(**{field.attname: getattr(record, field.attname)}))
    if constraint.fields:
        return _first(rows.filter(**{name: getattr(record, _attname(model, name)) for name in constraint.fields}))
    for index, expression in enumerate(constraint.expressions):
        rows = rows.alias(**{f"_held_{index}": expression}).filter(
            **{f"_held_{index}": _on_values(expression, model, record)}
        )
    return _first(rows)


def _first(rows: models.QuerySet) -> str | None:
    return rows.values_list("pk", flat=True).first()


def _attname(model: type[models.Model], name: str) -> str:
    return model._meta.get_field(name).attname


def _on_values(expression: Any, model: type[models.Model], record: Any) -> Any:
    """`expression` with each column reference replaced by `record`'s value of it."""
    if isinstance(expression, models.F):
        return models.Value(getattr(record, _attname(model, expression.name)))
    if not hasattr(expression, "get_source_expressions"):
        return expression
    clone = copy.copy(expression)
    clone.set_source_expressions([_on_values(source, model, record) for source in expression.get_source_expressions()])
    return clone
