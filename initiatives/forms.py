from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import periods
from .models import Citation, Milestone, Mission
from .quotes import find_quote, fold_whitespace


class PeriodTextMixin:
    """Reads a `<prefix>_text` field with periods.py and fills the stored window.

    A changed expression is read against today (the day someone wrote it); an unchanged one
    keeps the window it was read into, so saving a form never shifts a date silently."""

    period_prefix: str

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        prefix = self.period_prefix
        name = f"{prefix}_text"
        text = (cleaned.get(name) or "").strip()
        instance = self.instance  # type: ignore[attr-defined]
        if name not in self.changed_data and getattr(instance, f"{prefix}_start", None):  # type: ignore[attr-defined]
            return cleaned
        if not text:
            for part in ("start", "end", "reference"):
                setattr(instance, f"{prefix}_{part}", None)
            setattr(instance, f"{prefix}_precision", "")
            return cleaned
        try:
            period = periods.parse_period(text, timezone.localdate())
        except periods.PeriodParseError:
            self.add_error(  # type: ignore[attr-defined]
                name,
                _(
                    "Unknown date expression “%(text)s”. Examples: “fin 2021”, “T4 2024”, “d'ici le printemps”, “15 mars 2025”."
                )
                % {"text": text},
            )
            return cleaned
        instance.__dict__.update(
            {
                f"{prefix}_start": period.start,
                f"{prefix}_end": period.end,
                f"{prefix}_precision": period.precision.value,
                f"{prefix}_reference": period.reference,
            }
        )
        return cleaned


class MilestoneAdminForm(PeriodTextMixin, forms.ModelForm):
    period_prefix = "due"

    class Meta:
        model = Milestone
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        status = cleaned.get("status")
        if status == Milestone.Status.DONE:
            cleaned["progress"] = 100  # done means done: the bar follows the status
        errors = Milestone.rule_errors(
            status=status or "",
            progress=cleaned.get("progress"),
            completed_on=cleaned.get("completed_on"),
            comment=cleaned.get("comment") or "",
            today=timezone.localdate(),
        )
        for name, message in errors.items():
            self.add_error(name if name in self.fields else None, message)
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
        cleaned = super().clean()
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
