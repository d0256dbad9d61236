from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import periods
from .models import Assessed, Citation, Forecast, Milestone, Mission, period_error_message
from .quotes import find_quote, fold_whitespace
from .selectors.links import link_choices


class PeriodTextMixin:
    """Reads a `<prefix>_text` field with periods.py and fills the stored window.

    New words are read against today, the day someone wrote them. Words edited without moving
    the date (a typo, an apostrophe) keep the date they were first read against: "à l'automne"
    read in 2020 must not jump to this autumn because someone fixed its apostrophe."""

    period_prefix: str

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        name = f"{self.period_prefix}_text"
        if name not in self.changed_data and self._stored("start"):  # type: ignore[attr-defined]
            return cleaned
        text = (cleaned.get(name) or "").strip()
        if not text:
            self._store(None)
            return cleaned
        try:
            period = self._same_window_as_stored(text) or periods.parse_period(
                text, timezone.localdate()
            )
        except periods.PeriodParseError as exc:
            self.add_error(  # type: ignore[attr-defined]
                name,
                _("%(problem)s. Examples: “fin 2021”, “T4 2024”, “d'ici le printemps”.")
                % {"problem": period_error_message(exc)},
            )
            return cleaned
        self._store(period)
        return cleaned

    def _stored(self, part: str) -> Any:
        return getattr(self.instance, f"{self.period_prefix}_{part}", None)  # type: ignore[attr-defined]

    def _same_window_as_stored(self, text: str) -> periods.Period | None:
        return periods.same_window(
            text, self._stored("reference"), self._stored("start"), self._stored("end")
        )

    def _store(self, period: periods.Period | None) -> None:
        prefix = self.period_prefix
        self.instance.__dict__.update(  # type: ignore[attr-defined]
            {
                f"{prefix}_start": period.start if period else None,
                f"{prefix}_end": period.end if period else None,
                f"{prefix}_precision": period.precision.value if period else "",
                f"{prefix}_reference": period.reference if period else None,
            }
        )


class MilestoneAdminForm(forms.ModelForm):
    """The admin's milestone form, on its page and inline. Its values go through the one
    writer: clean() asks services.check_milestone (the rules, the version, the due words), and
    the admin saves the checked edit with services.write_milestones."""

    # The version the form was opened on: saving over a newer one would lose that edit.
    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    checked: Any = None  # the services.CheckedEdit of a valid, changed form

    class Meta:
        model = Milestone
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        from . import services

        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean() returns
        if self.errors or not self.has_changed():
            return cleaned
        instance = self.instance
        if instance.pk:
            # Locked until the admin's transaction commits, so no save slips in between;
            # read afresh, since the form will write its values onto `instance`.
            milestone = Milestone.objects.select_for_update().get(pk=instance.pk)
        else:
            milestone = Milestone(mission_id=instance.mission_id)
        if "mission" in cleaned:
            milestone.mission = cleaned["mission"]
        if "key" in cleaned:
            milestone.key = cleaned["key"]
        given: dict[str, Any] = {
            name: cleaned[name] if name != "workstream" else getattr(cleaned[name], "pk", None)
            for name in (
                "title",
                "kind",
                "status",
                "progress",
                "completed_on",
                "comment",
                "due_text",
                "editorial",
                "workstream",
            )
            if name in self.fields and name in cleaned
        }
        if "workstream" in given:
            given["workstream_id"] = given.pop("workstream")
        elif not instance.pk:
            given["workstream_id"] = instance.workstream_id  # the workstream page's inline
        change: dict[str, Any] = {
            k: (
                {}
                if v is None and k == "editorial"
                else ""
                if v is None and k in ("comment", "due_text")
                else v
            )
            for k, v in given.items()
        }
        try:
            self.checked = services.check_milestone(
                milestone,
                services.MilestoneChange(**change),
                base_version=cleaned.get("base_version"),
                today=timezone.localdate(),
            )
        except services.EditConflict as conflict:
            raise forms.ValidationError(
                _(
                    "This milestone was changed by someone else since you opened this page (now version %(version)s). Your entries are kept below: reload the page to see the new values, then apply them again."
                )
                % {"version": conflict.current.version},
                code="stale",
            ) from None
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


class MissionAdminForm(PeriodTextMixin, forms.ModelForm):
    period_prefix = "launch"

    class Meta:
        model = Mission
        fields = "__all__"


class CitationAdminForm(forms.ModelForm):
    """A quote typed in the admin obeys the importer's rule: verbatim in its source, or refused."""

    class Meta:
        model = Citation
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data  # what ModelForm.clean() returns
        source, quote = cleaned.get("source"), cleaned.get("quote")
        if source is None or not quote:
            return cleaned
        offsets = find_quote(source.text, quote)
        if offsets is None:
            self.add_error("quote", _("This quote is not found verbatim in the source text."))
            return cleaned
        cleaned["quote"] = fold_whitespace(quote)
        self.instance.start_offset, self.instance.end_offset = offsets
        return cleaned


class MissionFilterForm(forms.Form):
    """The mission list's filters. A value that is not valid is dropped, not an error: a
    stale shared link still shows missions."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    label = forms.ChoiceField(label=_("Label"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All"))] + list(Mission.Status.choices)
    )
    health = forms.ChoiceField(
        label=_("Milestone health"),
        required=False,
        choices=[("", _("All"))] + list(Milestone.Health.choices),
    )
    actor = forms.ChoiceField(label=_("Actor"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)
    assessed = forms.ChoiceField(
        label=_("Assessed status"),
        required=False,
        choices=[("", _("All"))] + list(Assessed.choices),
    )
    lien = forms.ChoiceField(label=_("Link between missions"), required=False)

    def __init__(
        self,
        *args: Any,
        labels: list[tuple[str, str]],
        actors: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in (("label", labels), ("actor", actors)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # declared above
            field.choices = [("", _("All")), *choices]
        lien = self.fields["lien"]
        assert isinstance(lien, forms.ChoiceField)
        lien.choices = [("", _("All")), *link_choices()]

    def filters(self) -> dict[str, Any]:
        """The valid filters only (call after is_valid())."""
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class SearchForm(forms.Form):
    """The search page's one field. Too long, or holding a NUL: an error beside what was
    typed, and no search."""

    MAX_LENGTH = 200

    q = forms.CharField(label=_("Search the site"), required=False, max_length=MAX_LENGTH)


class MilestoneEditForm(forms.Form):
    """A coordinator's edit of one milestone. The rules live in services.milestone_update;
    this form only reads the fields (and keeps what was typed when the service refuses).

    It also carries, hidden, the values its user saw when it opened (`seen_*`): what they
    changed is what differs from those, and only that is written. After a conflict the form
    comes back with what they typed, what they saw still hidden, and the new version, so
    « save mine anyway » writes their changes and leaves the other person's alone."""

    FIELDS = ("status", "progress", "completed_on", "due_text", "comment")

    status = forms.ChoiceField(label=_("Status"), choices=Milestone.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    completed_on = forms.DateField(
        label=_("Completed on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    due_text = forms.CharField(
        label=_("Due, as written"),
        required=False,
        max_length=200,
        help_text=_(
            "In words, as a source would say it: “T3 2026”, “à l'automne 2026”, “avant fin 2027”."
        ),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The due words typed again, to be read as of today (offered when that moves their
    # window; retyping them ticks it): services.MilestoneChange.due_retyped.
    reread_due = forms.BooleanField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    # What the form showed when it opened; absent (an older page, a script): every field counts.
    seen = forms.BooleanField(widget=forms.HiddenInput, required=False)
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_progress = forms.IntegerField(widget=forms.HiddenInput, required=False)
    seen_completed_on = forms.DateField(widget=forms.HiddenInput, required=False)
    seen_due_text = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)
    seen_comment = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    @classmethod
    def for_milestone(cls, milestone: Milestone) -> "MilestoneEditForm":
        values = cls.values_of(milestone)
        return cls(
            initial={
                **values,
                **{f"seen_{k}": v for k, v in values.items()},
                "seen": True,
                "version": milestone.version,
            }
        )

    @classmethod
    def values_of(cls, milestone: Milestone) -> dict[str, Any]:
        return {name: getattr(milestone, name) for name in cls.FIELDS}

    def typed(self) -> dict[str, Any]:
        return {name: compared_value(name, self.cleaned_data.get(name)) for name in self.FIELDS}

    def seen_values(self) -> dict[str, Any] | None:
        if not self.cleaned_data.get("seen"):
            return None
        return {
            name: compared_value(name, self.cleaned_data.get(f"seen_{name}"))
            for name in self.FIELDS
        }

    def changed_fields(self) -> list[str]:
        """The fields whose typed value differs from what the form showed (all of them when
        the form did not say what it showed), and the due words when retyped."""
        seen, typed = self.seen_values(), self.typed()
        return [
            name
            for name in self.FIELDS
            if seen is None
            or typed[name] != seen[name]
            or (name == "due_text" and self.cleaned_data.get("reread_due"))
        ]


def compared_value(name: str, value: Any) -> Any:
    """A value as compared: texts without surrounding blanks, no text as the empty one."""
    if name in ("due_text", "comment", "status"):
        return (value or "").strip()
    return value


# -- the weather of a workstream --------------------------------------------------------------


class ForecastForm(forms.Form):
    """A workstream's weather ("météo"). The rules (who, a narrative, not in the future) live
    in services.record_forecast; this form reads the fields and keeps what was typed."""

    level = forms.ChoiceField(
        label=_("Weather"), choices=Forecast.Level.choices, widget=forms.RadioSelect
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,  # an empty one is the service's refusal, with its words
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why this weather: what goes well, what worries you, what would change it."),
    )
    stated_on = forms.DateField(
        label=_("Stated on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today, or the day it was said (not in the future)."),
    )
