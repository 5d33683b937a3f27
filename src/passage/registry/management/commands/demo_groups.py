"""`manage.py demo_groups --operation CODE`: the demo groups and communities (registry.demo_groups)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from passage.core.models import Operation
from passage.registry.demo_groups import build_demo_groups


class Command(BaseCommand):
    help = "Add demo groups and communities (with members and households) to an operation that has none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operation", default="demo-irq", help="Operation code (default: demo-irq)")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        operation = Operation.objects.filter(code=options["operation"]).first()
        if operation is None:
            raise CommandError(f"No operation {options['operation']!r}.")
        self.stdout.write(str(build_demo_groups(operation=operation, seed=options["seed"])))
