"""Random nested documents thrown at the importer, as an upload would bring them: each is
either imported or refused with errors that say where; no other exception escapes, and a
refused document changes nothing."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from initiatives import importing
from initiatives.models import Citation, Milestone, Mission, Source, Workstream

pytestmark = pytest.mark.django_db

# The schema's own words, so that the documents get deep enough to reach the validator.
KEYS = [
    "format", "sources", "actors", "labels", "missions", "key", "title", "summary", "status",
    "launch", "budget", "labels", "citations", "source", "quote", "fact", "editorial",
    "workstreams", "milestones", "due", "progress", "completed_on", "comment", "text",
    "reference", "tense", "text_file", "published", "date", "precision", "basis", "actor",
    "role", "amount_eur", "qualifier", "name", "kind",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["observatoire/1", "plan-cloud-nfi-2014", "done", "2021-13-45", "fin 2021", "<script>", ""]),
    st.text(max_size=30),
)
NESTED = st.recursive(
    VALUES,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5),
    max_leaves=40,
)
DOCUMENTS = st.dictionaries(st.sampled_from(KEYS), NESTED, max_size=5).map(
    lambda d: {"format": "observatoire/1", **d} if "format" not in d else d
)


# The errors about a document as a whole, which have no path inside it.
WHOLE_DOCUMENT = {"imbrication trop profonde", "nested too deeply"}


def snapshot() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Source, Mission, Workstream, Milestone, Citation))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(document=DOCUMENTS)
def test_random_documents_are_imported_or_refused_with_paths(seeded: None, document: dict) -> None:
    # Each example in a transaction of its own, rolled back: examples never see each other.
    with transaction.atomic():
        before = snapshot()
        try:
            documents = importing.documents_parse_uploaded({"essai.yaml": json.dumps(document, ensure_ascii=False)})
            plan = importing.plan_build(documents)
        except importing.ImportFailed as exc:
            assert exc.errors
            for error in exc.errors:
                assert error.file and error.message
                # Beyond the document as a whole, an error says where in it.
                assert error.path or error.message in WHOLE_DOCUMENT, error
            assert snapshot() == before
        else:
            importing.plan_apply(documents, plan)
            # What it wrote is what it said: planned again, nothing is left to do.
            assert importing.plan_build(documents).is_noop
        transaction.set_rollback(True)


# YAML's explicit tags, and scalars some of which no Python value can hold (an impossible date,
# a number of thousands of digits): the loader's own failures must be errors with a path too.
TAGS = ["!!timestamp", "!!int", "!!float", "!!bool", "!!binary", "!!str", "!!null", "!!set", "!!omap", "!!pairs", "!!seq", "!!map", "!!merge", "!!value", ""]
SCALARS = st.one_of(
    st.sampled_from(["2026-02-30", "2026-01-01T25:61:00", "2026-01-01 10:00:00 +99:00", "1e999", "-.inf", ".nan",
                     "0x" + "f" * 5000, "9" * 5000, "1:" + "5" * 5000, "0b", "0o9", "aGVsbG8=", "@@", "~", "''", "[]", "{}"]),
    st.text(alphabet="0123456789:-+._xbeTZ ", max_size=30),
)
FIELDS = ["title", "progress", "completed_on", "key", "due", "amount_eur", "labels", "status"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from(TAGS), SCALARS), min_size=1, max_size=4))
def test_tagged_scalars_are_read_or_refused_with_paths(db: None, values: list[tuple[str, str, str]]) -> None:
    lines = [f"        {field}: {tag} {value}" for field, tag, value in values]
    text = "format: observatoire/1\nmissions:\n  - key: m\n    title: M\n    milestones:\n      - key: a\n" + "\n".join(lines) + "\n"
    try:
        importing.plan_build(importing.documents_parse_uploaded({"essai.yaml": text}))
    except importing.ImportFailed as exc:
        for error in exc.errors:
            assert error.file == "essai.yaml" and error.message
            assert error.path, error
