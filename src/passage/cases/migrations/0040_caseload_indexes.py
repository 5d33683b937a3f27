"""The caseload at a million cases: open cases in its order (by office, by operation) with what its filters and
counts read, and open tasks by due date with their case (overdue), so pages and counts are read from indexes."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0050_grant_case_export_and_aggregate'),
        ('core', '0006_grant_export_and_aggregates'),
        ('registry', '0010_import_duplicate_hold'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['operation', 'office', '-priority', 'state_due_at', 'opened_at', 'id'], include=('sensitivity', 'caseworker', 'state', 'programme', 'closed_at'), name='open_case_by_office'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['operation', '-priority', 'state_due_at', 'opened_at', 'id'], include=('sensitivity', 'caseworker', 'state', 'office', 'programme', 'closed_at'), name='open_case_by_urgency'),
        ),
        migrations.AddIndex(
            model_name='task',
            index=models.Index(condition=models.Q(('done_at__isnull', True)), fields=['due_on'], include=('case',), name='open_task_late'),
        ),
    ]
