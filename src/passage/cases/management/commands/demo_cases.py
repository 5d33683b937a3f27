"""`manage.py demo_cases --operation CODE`: the demo cases (cases.demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passage.cases.demo import build_demo_cases
from passage.core.models import Operation


class Command(BaseCommand):
    help = "Open demo cases (across programmes, workflow states, priorities and sensitivities) in an operation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operation", default="demo-irq", help="Operation code (default: demo-irq)")
        parser.add_argument("--cases", type=int, default=300, help="How many cases the operation should have")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        operation = Operation.objects.filter(code=options["operation"]).first()
        if operation is None:
            raise CommandError(f"No operation {options['operation']!r}.")
        self.stdout.write(str(build_demo_cases(operation=operation, count=options["cases"], seed=options["seed"])))
