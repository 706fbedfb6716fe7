"""The layers of `cutover/`, as each subpackage's docstring states them, checked on the source.

store      record maps, legacy values, the two backends: imports no other part of cutover
modes      store modes, the registry, the mode cache and fence
mirror     dual writes, the outbox and its relay, record copies, shadow reads
backfill   forward/reverse backfill and verify
scheduled  scheduled tasks, their runs and locks, purges
operations what operators do: mode changes and their preconditions
audit      the audited operator decision (permission, reason, who and when): imports no other part of cutover
Each layer imports only the layers listed for it below; nothing imports the admin or the
management commands; no module imports itself through a circle.
"""

import pytest

from tests.architecture.imports import cycles, import_graph

MAY_IMPORT = {
    "cutover.store": (),
    "cutover.models": ("cutover.store", "cutover.modes.store_mode"),
    "cutover.modes": ("cutover.store", "cutover.models"),
    "cutover.mirror": ("cutover.store", "cutover.models", "cutover.modes"),
    "cutover.audit": (),  # the audited operator decision, used by backfill (acknowledgements) and operations
    "cutover.backfill": ("cutover.store", "cutover.models", "cutover.modes", "cutover.mirror", "cutover.audit"),
    "cutover.scheduled": ("cutover.store", "cutover.models", "cutover.modes", "cutover.mirror"),
    "cutover.operations": (
        "cutover.store", "cutover.models", "cutover.modes", "cutover.mirror", "cutover.backfill", "cutover.scheduled",
        "cutover.audit",
    ),
    "cutover.factory": ("cutover.store", "cutover.models", "cutover.modes", "cutover.mirror"),
}
ENTRY_POINTS = ("cutover.management", "cutover.admin")  # cutover.admin, cutover.admin_base, cutover.admin_rejects


def _layer(module: str) -> str | None:
    return next((layer for layer in MAY_IMPORT if module == layer or module.startswith(layer + ".")), None)


GRAPH = import_graph()


@pytest.mark.parametrize("layer", sorted(MAY_IMPORT))
def test_each_layer_imports_only_the_layers_below_it(layer):
    allowed = (layer, *MAY_IMPORT[layer])
    breaches = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _layer(module) == layer
        for target in targets
        if target.startswith("cutover") and not any(target == a or target.startswith(a + ".") for a in allowed)
    )
    assert not breaches, f"{layer} may import only {allowed}:\n" + "\n".join(breaches)


def test_nothing_but_admin_modules_imports_admin_or_management_modules():
    breaches = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if target.startswith(ENTRY_POINTS) and not (module.startswith(ENTRY_POINTS) or module.endswith(".admin"))
    )
    assert not breaches, "\n".join(breaches)


def test_the_import_graph_has_no_circle():
    assert cycles(GRAPH) == []


def test_every_subpackage_opens_with_a_docstring_saying_what_it_owns():
    import importlib

    for layer in MAY_IMPORT:
        module = importlib.import_module(layer)
        if module.__file__.endswith("__init__.py"):
            assert (module.__doc__ or "").strip(), f"{layer}/__init__.py has no docstring"


def test_the_rules_can_fail():
    """The checker sees a breach when there is one (a guard against a rule that passes vacuously)."""
    graph = {"cutover.store.kinds": {"cutover.mirror.dual"}, "cutover.mirror.dual": {"cutover.store.kinds"}}
    assert cycles(graph) == [["cutover.mirror.dual", "cutover.store.kinds"]]
    assert _layer("cutover.store.kinds") == "cutover.store" and "cutover.mirror" not in MAY_IMPORT["cutover.store"]
