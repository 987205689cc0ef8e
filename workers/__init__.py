"""Celery workers: `celery -A workers worker` (and, for schedules, `celery -A workers beat`)."""

from workers import tasks  # noqa: F401  (registers the tasks)
from workers.celery_app import app

__all__ = ["app"]
