"""The Celery application. Settings come from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import beat_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escrow_project.settings")

app = Celery("escrow_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["cutover.scheduled"])  # the scheduled tasks, one per settings.SCHEDULED_TASKS entry
app.autodiscover_tasks(["cutover.backfill"], related_name="shards")  # backfill_shard
app.autodiscover_tasks(["cutover.backfill"], related_name="tasks")  # the cockpit's backfill and verify runs


@worker_process_init.connect
def _fresh_clients_after_fork(**kwargs) -> None:
    """pymongo clients are not fork-safe: each worker process builds its own."""
    from escrow_project.mongo import reset_mongo_clients

    reset_mongo_clients()


@beat_init.connect
def _every_scheduled_task_once_at_start(sender, **kwargs) -> None:
    """A (first) deployment has a run of every scheduled task as soon as beat and a worker run."""
    from cutover.scheduled.tasks import send_every_scheduled_task

    send_every_scheduled_task(sender.app)
