"""The people pickers of the case pages: one query of rows for any number of people, escaped, the choice kept."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from passage.cases.forms import AccessForm, people_label
from passage.core.models import User
from passage.core.tests.factories import UserFactory


def test_many_people_cost_one_query_and_their_names_are_escaped(db):
    UserFactory.create_batch(30)
    odd = UserFactory(first_name='<b>Ali</b> "al-Amin"', last_name="", username="ali")
    form = AccessForm(people=User.objects.order_by("username"), initial={"user": odd.pk})
    with CaptureQueriesContext(connection) as queries:
        html = str(form["user"])
    assert len(queries) == 1
    assert html.count("<option") == 32  # the blank and everyone
    assert f'<option value="{odd.pk}" selected>&lt;b&gt;Ali&lt;/b&gt; &quot;al-Amin&quot; (ali)</option>' in html
    assert "<b>" not in html


def test_a_person_reads_as_name_and_username():
    assert people_label("Amal", "Saleh", "amal") == "Amal Saleh (amal)"
    assert people_label("", "", "amal") == "amal"


def test_a_refused_choice_is_drawn_again_with_the_chosen_value(db):
    people = UserFactory.create_batch(2)
    form = AccessForm({"user": str(people[1].pk), "reason": ""}, people=User.objects.all())
    assert not form.is_valid()
    assert f'value="{people[1].pk}" selected' in str(form["user"])
