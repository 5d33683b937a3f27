"""`passage manage escalate_overdue`: what the five-minute job does, now (cases.escalation.escalate_all)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from passage.cases.escalation import BATCH, ROUNDS, escalate_all


class Command(BaseCommand):
    help = (
        "Escalate the cases past their state's deadline, the tasks past their due date and the referrals not "
        "answered in time, once each (what the worker does every five minutes)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"batches at most (default {ROUNDS})")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"of each kind per batch (default {BATCH})")

    def handle(self, *args: Any, **options: Any) -> None:
        done = escalate_all(rounds=options["rounds"], batch=options["batch"])
        self.stdout.write(f"Escalated {done.cases} cases, {done.tasks} tasks and {done.referrals} referrals.")
