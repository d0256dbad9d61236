"""The benchmark's synthetic data looks like the curated data: every kind of period, quotes
that stand verbatim in their source, actors, undated and mission-level milestones."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from initiatives.models import Citation, Involvement, Milestone, Mission, Source
from initiatives.quotes import find_quote

pytestmark = pytest.mark.django_db


def test_seed_synthetic_makes_the_asked_numbers_with_every_precision(seeded: None) -> None:
    call_command("seed_synthetic", missions=12, workstreams=3, milestones=10, verbosity=0)
    synthetic = Milestone.objects.filter(mission__key__startswith="synth-")
    assert synthetic.count() == 12 * 3 * 10
    assert set(synthetic.exclude(due_precision="").values_list("due_precision", flat=True)) >= {
        "day",
        "month",
        "season",
        "quarter",
        "half",
        "year",
    }
    assert synthetic.filter(due_start=None, due_text="").exists()  # undated ones
    assert synthetic.filter(workstream=None).count() == 12  # one per mission, on the mission
    assert Involvement.objects.filter(mission__key__startswith="synth-").count() == 24
    assert Mission.objects.filter(key__startswith="synth-", labels__isnull=False).exists()
    # The curated data is untouched.
    assert Mission.objects.exclude(key__startswith="synth-").count() == 4


def test_every_synthetic_quote_stands_verbatim_in_its_source(seeded: None) -> None:
    call_command("seed_synthetic", missions=3, workstreams=2, milestones=5, verbosity=0)
    citations = Citation.objects.filter(source__key__startswith="synth-").select_related("source")
    assert citations.count() == 3 * 2 * 5
    for citation in citations:
        assert citation.source.text[citation.start_offset : citation.end_offset] == citation.quote
        assert find_quote(citation.source.text, citation.quote) is not None


def test_seeding_again_replaces_the_synthetic_data(seeded: None) -> None:
    call_command("seed_synthetic", missions=5, workstreams=2, milestones=2, verbosity=0)
    call_command("seed_synthetic", missions=3, workstreams=2, milestones=2, verbosity=0)
    assert Mission.objects.filter(key__startswith="synth-").count() == 3
    assert Source.objects.filter(key__startswith="synth-").count() == 3
