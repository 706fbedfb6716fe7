"""One body of tests for the disputes port, run in every store mode."""

import re

import pytest

from cutover.store.backends.errors import RecordNotFound
from cutover.store.legacy import new_id
from tests.contract.conftest import assert_stores_follow_mode
from tests.disputes.factories import dispute_draft
from tests.factories import a_user


@pytest.fixture
def repo(repo_of):
    return repo_of("dispute")


def test_create_assigns_an_object_id_and_the_created_entry(repo):
    record = repo.create(dispute_draft())
    assert re.fullmatch(r"[0-9a-f]{24}", record.id)
    assert record.status == "open"
    assert [(e.action, e.from_status, e.to_status) for e in record.timeline] == [("created", None, "open")]
    assert record.created_at == record.updated_at == record.timeline[0].at
    assert repo.get(record.id) == record


def test_status_change_appends_a_status_changed_entry(repo):
    record = repo.create(dispute_draft())
    actor = new_id()
    changed = repo.change_status(record.id, to_status="under_review", actor_id=actor, note="looking")
    assert changed.status == "under_review"
    entry = changed.timeline[-1]
    assert (entry.action, entry.from_status, entry.to_status, entry.actor_id, entry.note) == (
        "status_changed",
        "open",
        "under_review",
        actor,
        "looking",
    )
    assert changed.updated_at > record.updated_at
    assert repo.get(record.id) == changed


def test_same_status_adds_no_entry(repo):
    record = repo.create(dispute_draft())
    again = repo.change_status(record.id, to_status="open", actor_id=new_id())
    assert len(again.timeline) == 1
    assert repo.get(record.id).timeline == record.timeline


def test_assign_admin_and_list_by_admin(repo):
    admin = a_user().id
    first = repo.assign_admin(repo.create(dispute_draft()).id, admin_id=admin)
    second = repo.assign_admin(repo.create(dispute_draft()).id, admin_id=admin)
    repo.create(dispute_draft())  # not assigned
    repo.change_status(second.id, to_status="under_review", actor_id=admin)
    assert [r.id for r in repo.list_by_admin(admin_id=admin)] == [second.id, first.id]
    assert [r.id for r in repo.list_by_admin(admin_id=admin, status="open")] == [first.id]
    assert repo.list_by_admin(admin_id=a_user().id) == []


def test_list_by_status_priority_is_newest_first_and_filtered(repo):
    ids = [repo.create(dispute_draft(priority=p)).id for p in ("high", "low", "high")]
    repo.change_status(ids[2], to_status="closed", actor_id=new_id())
    assert [r.id for r in repo.list_by_status_priority(status="open")] == [ids[1], ids[0]]
    assert [r.id for r in repo.list_by_status_priority(status="open", priority="high")] == [ids[0]]
    assert [r.id for r in repo.list_by_status_priority(status="open", limit=1)] == [ids[1]]


def test_add_evidence_and_resolve(repo):
    record = repo.create(dispute_draft())
    uploader = new_id()
    with_evidence = repo.add_evidence(record.id, url="https://files.example/p1.png", uploaded_by_id=uploader)
    assert [(e.url, e.uploaded_by_id) for e in with_evidence.evidence] == [("https://files.example/p1.png", uploader)]
    resolved = repo.resolve(record.id, outcome="resolved_buyer", resolution="refund in full", actor_id=new_id())
    assert (resolved.status, resolved.resolution) == ("resolved_buyer", "refund in full")
    assert resolved.timeline[-1].to_status == "resolved_buyer"
    assert repo.get(record.id) == resolved


def test_unknown_ids(repo):
    assert repo.get(new_id()) is None
    with pytest.raises(RecordNotFound, match="no dispute with id"):
        repo.change_status(new_id(), to_status="closed", actor_id=new_id())


def test_each_mode_writes_exactly_the_stores_it_should(repo):
    record = repo.change_status(repo.create(dispute_draft()).id, to_status="under_review", actor_id=new_id())
    assert_stores_follow_mode("dispute", repo.mode, [record])
