"""Huey tasks of the cases app. Thin: they call the escalation of overdue work (cases, tasks and referrals)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

ROUNDS = 10  # batches per run: a backlog of up to 2,000 cases and 2,000 tasks drains in one run


@db_periodic_task(crontab(minute="*/5"))
def escalate_overdue_cases() -> None:
    from passage.cases.escalation import escalate_overdue
    from passage.cases.referral_actions import escalate_overdue_referrals

    for _round in range(ROUNDS):
        done = escalate_overdue()
        referrals = escalate_overdue_referrals()
        if not done.cases and not done.tasks and not referrals:
            break
