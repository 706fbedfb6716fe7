from django.db import models


class ScheduledTaskRun(models.Model):
    """The last run of each scheduled task: the cutover check reads it to know the scheduler is alive."""

    class Outcome(models.TextChoices):
        OK = "ok"
        FAILED = "failed"
        SKIPPED = "skipped"  # another run held the lock

    task = models.CharField(max_length=100, primary_key=True)
    last_started_at = models.DateTimeField()
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_duration_seconds = models.FloatField(null=True, blank=True)
    last_count = models.BigIntegerField(null=True, blank=True, help_text="Rows removed or entries repaired.")
    last_outcome = models.CharField(max_length=8, choices=Outcome.choices)
    last_error = models.TextField(blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    runs = models.PositiveBigIntegerField(default=0)

    class Meta:
        db_table = "cutover_scheduled_task_runs"
        ordering = ["task"]

    def __str__(self) -> str:
        return f"{self.task}: {self.last_outcome} at {self.last_started_at:%Y-%m-%d %H:%M:%S}"
