"""Huey tasks of the cases app. Thin: they call the escalation of overdue work (cases, tasks and referrals)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/5"))
def escalate_overdue_cases() -> None:
    from passage.cases.escalation import escalate_all

    escalate_all()
