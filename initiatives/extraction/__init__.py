"""A raw article -> a draft fixture document, for an administrator to review.

Rules are general French patterns, not the strings of our seed texts:

- page chrome (newsletter prompts, share buttons, comment notices, photo credits, lone
  symbols) is not content;
- the title is the first content line that reads as a heading; the initiative is what the
  government "crée", "lance", "annonce", "présente"… (a quoted name beats a plain one);
- workstreams are enumerations: bullet lists, "autour de cinq axes : a ; b ; c", "3 piliers :
  …", ordinals ("Première intention, …", "Le deuxième axe …") and the "aussi … enfin …"
  sequence of infinitives;
- every dated statement is a milestone: each date expression periods.py reads in a sentence,
  read against the publication date (backwards when the verb before it is in a past tense),
  with the sentence as its quote;
- actors come with their role ("pilotée par", "coordonnateurs", "chefs de projet", "ministre");
  budgets ("supérieur à 100m€", "100 millions d'euros") and labels ("label …", "visa …") too.

Every quote is a verbatim slice of the text given, so the importer accepts it as is. Nothing
is published here: the draft goes to the import preview.

The package, in the order it reads: text (content lines, sentences), dates (dated
statements), enumerations (workstreams), mentions (actors, budget, labels, the initiative),
draft (the document, and `extract`, the one call).
"""

from __future__ import annotations

from .dates import DatedStatement, find_periods
from .draft import DraftDocument, PublishedPrecision, extract
from .enumerations import Item, workstreams
from .mentions import Budget, Involved, actors, budget, initiative, labels
from .text import LONGEST_SENTENCE, MAX_ARTICLE_CHARS, Line, content_lines, sentences

__all__ = [
    "LONGEST_SENTENCE",
    "MAX_ARTICLE_CHARS",
    "Budget",
    "DatedStatement",
    "DraftDocument",
    "Involved",
    "Item",
    "Line",
    "PublishedPrecision",
    "actors",
    "budget",
    "content_lines",
    "extract",
    "find_periods",
    "initiative",
    "labels",
    "sentences",
    "workstreams",
]
