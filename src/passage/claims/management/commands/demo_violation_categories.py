"""`manage.py demo_violation_categories --operation CODE`: the demo categories of violation (claims.demo)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passage.claims.demo import create_violation_categories
from passage.core.models import Operation


class Command(BaseCommand):
    help = "Create the demo categories of violation (forced labour, torture, property loss…) in an operation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operation", default="demo-irq", help="Operation code (default: demo-irq)")

    def handle(self, *args: Any, **options: Any) -> None:
        operation = Operation.objects.filter(code=options["operation"]).first()
        if operation is None:
            raise CommandError(f"No operation {options['operation']!r}.")
        made = create_violation_categories(operation=operation)
        self.stdout.write(f"{len(made)} categories of violation created in {operation.code}.")
