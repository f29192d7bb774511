from django.db import models
from django.utils import timezone


class UnsentTask(models.Model):
    """A background task whose message could not be handed to the broker after the change
    it follows was saved (the broker was down). The sweep sends it again; see
    background.services. Tasks take ids and are safe to run twice, so sending one again is
    always safe."""

    task = models.CharField(max_length=200, help_text="The task's registered name.")
    args = models.JSONField(default=list)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    tried_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
