"""The shared form styling: each kind of widget drawn the way Bootstrap expects it."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string

from passage.core.forms import Styled


class Choice(Styled, forms.Form):
    how = forms.ChoiceField(
        label="How", choices=[("verbal", "Verbal"), ("written", "Written")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", required=False)


def test_radio_buttons_are_drawn_as_radio_buttons_in_a_fieldset():
    form = Choice()
    assert form.fields["how"].widget.attrs["class"] == "form-check-input"
    html = render_to_string("core/_field.html", {"field": form["how"], "form": form})
    assert "<fieldset" in html and "<legend" in html and "form-control" not in html
    assert html.count('type="radio"') == 2 and html.count('class="form-check-label"') == 2
    assert 'class="form-control"' in render_to_string("core/_field.html", {"field": form["note"], "form": form})
