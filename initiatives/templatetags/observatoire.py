from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from initiatives.selectors import Footnotes

register = template.Library()


@register.simple_tag
def notes(footnotes: Footnotes, kind: str, pk: int) -> SafeString:
    """Footnote markers beside a fact: [1][3], each a link to its verbatim quote."""
    numbers = footnotes.of(kind, pk)
    if not numbers:
        return mark_safe("")  # nothing to escape in an empty string
    return format_html_join(
        "",
        '<sup><a class="note-ref" href="#note-{}" title="{}">[{}]</a></sup>',
        ((n, _("Source %(number)s") % {"number": n}, n) for n in numbers),
    )


@register.filter
def percent(value: float | None) -> int:
    """A progress value as a whole percentage; no milestone yet reads as 0."""
    return round(value or 0)


@register.filter
def permille(percent: float | None) -> int:
    """A percentage as whole tenths (0–1000), the step of the position classes x-N and w-N of
    static/css/positions.css: markup places things by class, never by a style attribute,
    which the Content-Security-Policy forbids."""
    return min(max(round((percent or 0) * 10), 0), 1000)
