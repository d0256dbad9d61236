"""Text from bytes: UTF-8, or UTF-16/32 with a byte-order mark; otherwise UndecodableText,
naming the encoding the bytes seem to be in (read by the importer and the upload form)."""

from __future__ import annotations

import codecs

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# UTF-32's marks first: UTF-32-LE's begins with UTF-16-LE's.
_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# The 8-bit encodings a French text that is not UTF-8 is likely to be in, most likely first:
# what Windows writes, what old Macs wrote, what DOS wrote.
_LEGACY_ENCODINGS = (
    ("cp1252", gettext_noop("Windows-1252 (or ISO-8859-1)")),
    ("mac_roman", gettext_noop("Mac OS Roman")),
    ("cp850", gettext_noop("DOS (code page 850)")),
)
_LIKELY_SMALL = frozenset("àâäçéèêëîïôöùûüÿœæñáíóúãõåøß")  # the bulk of a text's accents
_LIKELY_OTHER = frozenset("ÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆÑÁÍÓÚÃÕÅØ«»‘’“”–—…€°•·\xa0")
_GUESS_SAMPLE_BYTES = 200_000


class UndecodableText(ValueError):
    """Bytes that are not text the importer reads: binary data, or text in an encoding other
    than UTF-8, named (translated) when it can be told."""

    def __init__(self, *, binary: bool = False, encoding: str | None = None) -> None:
        self.binary = binary
        self.encoding = encoding
        super().__init__("binary data" if binary else f"not UTF-8 ({encoding or 'unknown'})")

    def message(self, name: str) -> str:
        """The reason as a sentence about the file `name` (the upload form)."""
        if self.binary:
            return _("%(name)s is not a text file (it contains binary data).") % {"name": name}
        if self.encoding:
            return _(
                "%(name)s is not encoded in UTF-8: it seems to be encoded in %(encoding)s. Save it as “UTF-8 text” and send it again."
            ) % {"name": name, "encoding": self.encoding}
        return _("%(name)s is not encoded in UTF-8: save it as “UTF-8 text” and send it again.") % {
            "name": name
        }

    def reason(self) -> str:
        """The reason as an importer's error says it, after the file's name."""
        if self.binary:
            return _("not a text file (it contains binary data)")
        if self.encoding:
            return _("not UTF-8 text (it seems to be encoded in %(encoding)s)") % {
                "encoding": self.encoding
            }
        return _("not UTF-8 text")


def decode_text(raw: bytes) -> str:
    """The text of a file: UTF-8, or UTF-16 or UTF-32 with their byte-order mark (Windows's
    "Unicode" text), the mark dropped. Otherwise UndecodableText, with the encoding the bytes
    seem to be in, so that the message can say how to save the file."""
    for mark, codec in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            try:
                text = raw.decode(codec)
            except UnicodeDecodeError:
                break  # a mark and then something else: judged below like unmarked bytes
            if "\x00" in text:
                raise UndecodableText(binary=True)
            return text
    if b"\x00" in raw:
        if _unmarked_utf16(raw):
            raise UndecodableText(encoding=_("UTF-16 without a byte-order mark"))
        raise UndecodableText(binary=True)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UndecodableText(encoding=_legacy_encoding(raw)) from None


def _unmarked_utf16(raw: bytes) -> bool:
    """Mostly ASCII once read as UTF-16: text, with every other byte zero."""
    if len(raw) % 2:
        return False
    sample = raw[:_GUESS_SAMPLE_BYTES]
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text and sum(c < "\x80" for c in text) >= 0.7 * len(text):
            return True
    return False


def _legacy_encoding(raw: bytes) -> str | None:
    """The 8-bit encoding in which the bytes read most like Western European text: lowercase
    accented letters count most, letters no language of ours uses count against."""
    sample = raw[:_GUESS_SAMPLE_BYTES]
    best, best_score = None, 0
    for codec, label in _LEGACY_ENCODINGS:
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue  # cp1252 leaves five bytes undefined
        score = sum(
            2 if c in _LIKELY_SMALL else 1 if c in _LIKELY_OTHER else -2
            for c in text
            if c >= "\x80"
        )
        if score > best_score:  # a tie keeps the likelier encoding, listed first
            best, best_score = label, score
    return _(best) if best else None
