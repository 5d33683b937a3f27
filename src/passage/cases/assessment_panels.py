"""The assessments panel on a person's page (passage.core.panels): their RSS scores over time as a chart, and a
link to every assessment about them the reader may see. Nothing when the reader sees none."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string

from passage.cases import assessment_queries as queries
from passage.cases.access import VIEW
from passage.core.access import permissions_in


def person_assessments(request: HttpRequest, record: Any) -> str:
    if record._meta.label_lower != "registry.person":
        return ""
    if VIEW not in permissions_in(request.user, record.operation_id):
        return ""
    submissions = queries.person_submissions(request.user, record)
    if not submissions:
        return ""
    from passage.cases.assessment_views import chart_labels

    scores = list(queries.rss_scores(user=request.user, person=record))
    labels = chart_labels()
    return render_to_string(
        "cases/assessments/_person_panel.html",
        {
            "person": record,
            "count": len(submissions),
            "rss": scores,
            "rss_chart": queries.rss_chart(scores, labels) if scores else None,
            "labels": labels,
        },
        request=request,
    )
