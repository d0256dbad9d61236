from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext as _

from initiatives.models import fact_label
from initiatives.selectors import Footnotes

register = template.Library()


@register.simple_tag
def notes(footnotes: Footnotes, kind: str, pk: int) -> SafeString:
    """Footnote markers beside a fact: [1][3], each a link to its note, which links back to
    the marker (its id)."""
    numbers = footnotes.of(kind, pk)
    if not numbers:
        return mark_safe("")  # nothing to escape in an empty string
    return format_html_join(
        "",
        '<sup><a class="note-ref" id="cite-{}-{}-{}" href="#note-{}">'
        '<span class="fr-sr-only">{} </span>[{}]</a></sup>',
        ((kind, pk, n, n, _("Note"), n) for n in numbers),
    )


@register.filter
def fact_words(fact: str, kind: str) -> str:
    """A fact's name in words ("due": « échéance »), for an object of `kind`."""
    return str(fact_label(fact, kind))


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


def _page_not_french() -> bool:
    return not (get_language() or "fr").startswith("fr")


@register.simple_tag
def lang_fr() -> SafeString:
    """` lang="fr"` on an element whose text is the data's French (a source's text, a quote)
    when the page is in another language, so that screen readers switch voice (WCAG 3.1.2);
    nothing on a French page, where it would only repeat <html lang="fr">."""
    return mark_safe(' lang="fr"' if _page_not_french() else "")  # a constant


@register.filter
def french(value: object) -> SafeString:
    """The data's French words (a title, a summary, a quote), escaped, in a <span lang="fr">
    when the page is in another language. For text only: never inside an attribute."""
    if _page_not_french():
        return format_html('<span lang="fr">{}</span>', value)
    return format_html("{}", value)
