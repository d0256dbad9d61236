"""The pages civil servants browse: full renders, HTMX partials, bad input, query counts."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Milestone, Mission, Workstream

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def add_milestones(count: int, workstream: Workstream | None = None) -> None:
    """More data, to show a page's query count does not grow with it: `count` milestones in
    `workstream`, or in a new synthetic mission; windows spread around today."""
    if workstream is None:
        mission = Mission.objects.create(
            key="synthetique", title="Mission synthétique", status="launched"
        )
        workstream = Workstream.objects.create(mission=mission, key="axe", position=1, title="Axe")
    today = timezone.localdate()
    Milestone.objects.bulk_create(
        Milestone(
            mission_id=workstream.mission_id,
            workstream=workstream,
            key=f"extra-{i}",
            title=f"Jalon {i}",
            due_text="fin 2030",
            due_start=today + dt.timedelta(days=i - count // 2),
            due_end=today + dt.timedelta(days=i - count // 2),
            due_precision="day",
            due_reference=today,
            progress=i % 100,
        )
        for i in range(count)
    )


def test_dashboard_shows_counts_deadlines_and_progress_in_french(
    seeded: None, client: Client
) -> None:
    page = client.get(reverse("initiatives:dashboard"))
    html = page.content.decode()
    assert page.status_code == 200
    assert page["Content-Language"] == "fr"
    assert "<h1>Tableau de bord</h1>" in html
    # The latest deadlines passed without news first: « avant fin 2021 », five chantiers.
    assert "Livraison des premiers projets" in html
    assert "échéance passée, sans nouvelles" in html and "en retard" in html
    assert "Mission numérique des grands groupes" in html
    # CSRF goes with every HTMX request.
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_dashboard_is_english_through_the_switch_only(seeded: None, client: Client) -> None:
    # A browser asking for English still gets French: French first.
    assert "Tableau de bord" in client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/")
    assert page["Content-Language"] == "en"
    assert "<h1>Dashboard</h1>" in page.content.decode()


def test_deadline_panel_partial_is_small_and_polls_itself(seeded: None, client: Client) -> None:
    panel = client.get("/?panel=deadlines", **HTMX)
    html = panel.content.decode()
    assert panel.status_code == 200
    assert html.lstrip().startswith('<section id="deadlines"')
    assert "<html" not in html
    # Every minute, unless the reader switched it off (WCAG 2.2.2).
    # (The switch is read by static/js/observatoire.js: a trigger filter would need eval.)
    assert 'hx-trigger="every 60s" data-refresh-unless-paused' in html
    assert 'hx-get="/?panel=deadlines"' in html
    assert len(panel.content) < 15_000


@pytest.mark.parametrize(
    "query", ["?panel=<script>", "?panel=", "?x=1&panel=deadlines&panel=autre", "?%ff=%fe"]
)
def test_dashboard_ignores_strange_parameters(seeded: None, client: Client, query: str) -> None:
    assert client.get("/" + query).status_code == 200
    assert client.get("/" + query, **HTMX).status_code == 200


def test_health_is_computed_as_of_today_not_read_from_a_stale_column(
    seeded: None, client: Client
) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    # The stored health still says "on track": the sweep has not run since the window closed.
    Milestone.objects.filter(key="octroi-label").update(
        due_text="hier",
        due_start=yesterday,
        due_end=yesterday,
        due_precision="day",
        due_reference=timezone.localdate(),
        health="on_track",
    )
    html = client.get("/?panel=deadlines", **HTMX).content.decode()
    # Planned, its window closed yesterday, nothing said since: not "late", "no news".
    without_news = html.split('id="without-news"')[1]
    assert "Octroi du label « cloud de confiance » aux fournisseurs de service" in without_news


def test_dashboard_escapes_what_it_shows(seeded: None, client: Client) -> None:
    Mission.objects.filter(key="strategie-nationale-cloud").update(
        title="<script>alert(1)</script>"
    )
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_dashboard_query_count_does_not_grow_with_the_data(
    seeded: None, uncached: None, client: Client
) -> None:
    client.get("/")  # warm caches that are not per-request (content types, translations)
    with CaptureQueriesContext(connection) as small:
        client.get("/")
    add_milestones(2000)
    with CaptureQueriesContext(connection) as large:
        client.get("/")
    assert len(small) == len(large) <= 8
    assert settings.DEADLINE_HORIZON_DAYS == 30


# --- Mission, milestone and source pages ------------------------------------------------------


def test_mission_page_shows_facts_with_footnotes_to_their_quotes(
    seeded: None, client: Client
) -> None:
    page = client.get(reverse("initiatives:mission", args=["strategie-nationale-cloud"]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Stratégie nationale pour le Cloud" in html
    # The AMI's five projects are worth more than 100 m€: their amount, not the strategy's budget.
    assert "100\xa0000\xa0000 €" not in html
    assert "pour un montant supérieur à 100 M€" in html
    for title in (
        "Le label « cloud de confiance »",
        "La politique « Cloud au centre » de l&#x27;administration",
    ):
        assert title in html
    assert (
        "certificateur" in html
        and "Agence nationale de la sécurité des systèmes d&#x27;information (ANSSI)" in html
    )
    # The mission's own quotes come first, and every marker leads to a quote on the page.
    assert 'href="#note-1"' in html.split("</h1>")[0]
    assert (
        'id="note-1"' in html
        and "Le Gouvernement annonce sa stratégie nationale pour le Cloud" in html
    )
    assert html.count('class="note-ref"') >= 8


def test_mission_page_timeline_puts_undated_milestones_last(seeded: None, client: Client) -> None:
    html = client.get(
        reverse("initiatives:mission", args=["mission-numerique-grands-groupes"])
    ).content.decode()
    timeline = html[html.index('id="timeline-') :]  # grouped by year, the undated last
    assert timeline.index("Début des travaux des groupes") < timeline.index("Diagnostic des freins")
    assert timeline.index('id="timeline-2020"') < timeline.index('id="timeline-undated"')


def test_unknown_pages_are_404_not_500(seeded: None, client: Client) -> None:
    assert client.get("/missions/inconnue/").status_code == 404
    assert client.get("/jalons/999999/").status_code == 404
    assert client.get("/jalons/abc/").status_code == 404
    assert client.get("/sources/inconnue/").status_code == 404
    assert (
        client.post(reverse("initiatives:mission", args=["strategie-nationale-cloud"])).status_code
        == 405
    )


def test_milestone_page_shows_words_window_precision_and_quotes(
    seeded: None, client: Client
) -> None:
    milestone = Milestone.objects.get(key="plan-ficele")
    html = client.get(reverse("initiatives:milestone", args=[milestone.pk])).content.decode()
    assert "« d&#x27;ici le printemps »" in html
    assert "20 mars 2014 – 20 juin 2014" in html and "saison" in html
    assert "lue par rapport au 1er janvier 2014" in html
    assert "échéance passée, sans nouvelles" in html  # planned, nothing said since June 2014
    assert "« Le plan Cloud ficelé d&#x27;ici le printemps »" in html


def test_source_page_highlights_every_quote_and_links_it_to_its_fact(
    seeded: None, client: Client
) -> None:
    html = client.get(reverse("initiatives:source", args=["plan-cloud-nfi-2014"])).content.decode()
    assert 'id="quote-' in html
    marked = [part.split("</mark>")[0] for part in html.split("<mark>")[1:]]
    assert "Le plan Cloud ficelé d&#x27;ici le printemps" in marked
    milestone = Milestone.objects.get(key="plan-ficele")
    assert reverse("initiatives:milestone", args=[milestone.pk]) in html


def test_pages_escape_source_text_and_titles(seeded: None, client: Client) -> None:
    from initiatives.models import Source

    Source.objects.filter(key="plan-cloud-nfi-2014").update(title="<img src=x onerror=alert(1)>")
    Milestone.objects.filter(key="plan-ficele").update(title="<b>gras</b>")
    milestone = Milestone.objects.get(key="plan-ficele")
    for url in (
        reverse("initiatives:source", args=["plan-cloud-nfi-2014"]),
        reverse("initiatives:milestone", args=[milestone.pk]),
        reverse("initiatives:mission", args=["plan-cloud-nouvelle-france-industrielle"]),
    ):
        html = client.get(url).content.decode()
        assert "<img src=x" not in html and "<b>gras</b>" not in html


@pytest.mark.parametrize("extra", [0, 500])
def test_mission_page_query_count_is_fixed(
    seeded: None, uncached: None, client: Client, extra: int
) -> None:
    mission = Mission.objects.get(key="mission-numerique-grands-groupes")
    add_milestones(extra, mission.workstreams.first())
    url = reverse("initiatives:mission", args=[mission.key])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # Seven (the links between missions, both sides, one of them), and this assessed
    # mission's assessments with their evidence (selectors.assessment_timeline).
    assert mission.assessed_on is not None
    assert len(queries) == 9


# --- The mission list -----------------------------------------------------------------------


def titles(html: str) -> list[str]:
    return [
        part.split("</a>")[0].split(">", 1)[1]
        for part in html.split('<a class="mission-title"')[1:]
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 4),
        ("?label=cloud", 2),
        ("?label=cloud&status=launched", 1),
        ("?status=announced", 2),
        # Every late milestone of the fixtures is planned with nothing said since its window:
        # "deadline passed, no news", none truly overdue.
        ("?health=overdue", 0),
        ("?health=no_news", 2),
        ("?health=no_news&year=2014", 1),
        ("?actor=anssi", 1),
        ("?year=2024", 1),
        ("?q=cloud&label=nouvelle-france-industrielle", 1),
    ],
)
def test_mission_list_filters_combine(
    seeded: None, client: Client, query: str, expected: int
) -> None:
    html = client.get("/missions/" + query).content.decode()
    assert len(titles(html)) == expected, titles(html)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("donnee", "Mission numérique des grands groupes"),  # accents ignored: « données »
        ("paiements", "Mission numérique des grands groupes"),  # plural stemmed: « e-paiement »
        (
            "messageries instantanées",
            "Déclaration franco-allemande pour une suite numérique souveraine",
        ),
        (
            "espionnage OR espions",
            "Déclaration franco-allemande pour une suite numérique souveraine",
        ),
        ("ficelé", "Plan Cloud de la Nouvelle France industrielle"),  # only in a quote
    ],
)
def test_search_is_french_full_text(seeded: None, client: Client, q: str, expected: str) -> None:
    found = titles(client.get("/missions/", {"q": q}).content.decode())
    assert expected in found, found


def test_mission_list_partial_for_htmx_and_full_page_without(seeded: None, client: Client) -> None:
    partial = client.get("/missions/?label=cloud", **HTMX)
    assert partial.content.decode().lstrip().startswith('<section id="results"')
    assert len(partial.content) < 15_000
    assert "HX-Request" in partial["Vary"]
    full = client.get("/missions/?label=cloud").content.decode()
    assert 'hx-push-url="true"' in full and 'method="get"' in full
    assert '<option value="cloud" selected>' in full


@pytest.mark.parametrize(
    "query",
    [
        "?status=zzz",
        "?year=abc",
        "?year=99999",
        "?label=<script>",
        "?q=" + "x" * 500,
        "?after=abc",
        "?after=12:",
        "?before=%00",
        "?health=overdue&health=done",
        "?q=%27%22%3B--",
        "?q=!!!&%26",
    ],
)
def test_mission_list_survives_bad_parameters(seeded: None, client: Client, query: str) -> None:
    assert client.get("/missions/" + query).status_code == 200
    assert client.get("/missions/" + query, **HTMX).status_code == 200


def test_keyset_pages_walk_forward_and_back_with_fixed_queries(
    seeded: None, uncached: None, client: Client
) -> None:
    Mission.objects.bulk_create(
        Mission(key=f"m-{i:03}", title=f"Mission {i:03}") for i in range(95)
    )
    seen: list[str] = []
    url = "/missions/?status=announced"
    counts = []
    for _ in range(10):
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).content.decode()
        counts.append(len(queries))
        seen += titles(html)
        if "fr-pagination__link--next" not in html:
            break
        url = (
            html.split('fr-pagination__link--next fr-pagination__link--lg-label" href="')[1]
            .split('"')[0]
            .replace("&amp;", "&")
        )
        url = "/missions/" + url
    assert len(seen) == len(set(seen)) == 97  # 95 + the two announced seed missions
    assert seen == sorted(seen)
    assert len(set(counts)) == 1 and counts[0] <= 8  # the last page costs what the first does
    back = (
        html.split('fr-pagination__link--prev fr-pagination__link--lg-label" href="')[1]
        .split('"')[0]
        .replace("&amp;", "&")
    )
    assert titles(client.get("/missions/" + back).content.decode()) == seen[-37:-17]


# --- The timeline (the frise) -------------------------------------------------------------------------------


def test_timeline_places_every_dated_milestone_with_its_precision(
    seeded: None, client: Client
) -> None:
    html = client.get(reverse("initiatives:timeline")).content.decode()
    assert client.get(reverse("initiatives:timeline")).status_code == 200
    ticks = html.split('<div class="frise__ticks">')[1].split("</div>")[0]
    assert ">2013<" in ticks and f">{timezone.localdate().year + 2}<" in ticks
    assert re.search(r'class="frise__today x-\d+"', html)
    # A season is a band (with a width), a day is a dot (none); positions are classes of
    # static/css/positions.css, in tenths of a percent (no style attribute: CSP).
    spring = Milestone.objects.get(key="plan-ficele")
    bar = html.split(f'href="/jalons/{spring.pk}/"')[1].split(">")[0]
    assert re.search(r'class="bar w-\d+ bar--no_news x-\d+"', bar), bar
    # An event (the minister's meeting) is a diamond at the middle of its window, never a bar.
    meeting = Milestone.objects.get(key="entretien-ministre")
    diamond = html.split(f'href="/jalons/{meeting.pk}/"')[1].split(">")[0]
    assert re.search(r'class="diamond bar--done x-\d+"', diamond) and "w-" not in diamond, diamond
    css = (Path(settings.BASE_DIR) / "static" / "css" / "positions.css").read_text()
    for name in set(re.findall(r"\b([xw]-\d+)\b", html)):
        assert f".{name}{{" in css, name
    assert html.count(f'href="/jalons/{spring.pk}/"') == 1
    # The accessible table says the same, in words, one choice away (with the same filters).
    assert 'name="view" value="table"' in html or 'value="table" type="radio"' in html
    table = client.get(reverse("initiatives:timeline"), {"view": "table"}).content.decode()
    assert "<caption>Les mêmes jalons sous forme de tableau</caption>" in table
    row = table.split(f'href="/jalons/{spring.pk}/"')[1].split("</tr>")[0]
    assert "« d&#x27;ici le printemps »" in row and "échéance passée, sans nouvelles" in row
    assert 'class="frise' not in table


def test_timeline_pages_keep_zoom_label_and_display(seeded: None, client: Client) -> None:
    Mission.objects.bulk_create(Mission(key=f"m-{i:02}", title=f"Mission {i:02}") for i in range(8))
    html = client.get("/frise/", {"year": 2021, "view": "table"}, **HTMX).content.decode()
    after = html.split('hx-get="?')[1].split('"')[0].replace("&amp;", "&")
    assert after.startswith("year=2021&view=table&after=")
    assert "<caption>" in client.get("/frise/?" + after).content.decode()


def test_timeline_zooms_on_a_year_by_quarter_and_filters_by_label(
    seeded: None, client: Client
) -> None:
    html = client.get(
        reverse("initiatives:timeline"), {"year": 2014, "label": "cloud"}, **HTMX
    ).content.decode()
    assert html.lstrip().startswith('<section id="axis"')
    ticks = html.split('<div class="frise__ticks">')[1].split("</div>")[0]
    assert [t.split("<")[0] for t in ticks.split(">")[1::1] if t.startswith("T")] == [
        "T1",
        "T2",
        "T3",
        "T4",
    ]
    assert "Plan Cloud ficelé" in html
    assert "Présentation de l&#x27;état d&#x27;avancement" not in html  # 2020, another label


@pytest.mark.parametrize(
    "query", ["?year=abc", "?year=1", "?year=99999", "?label=<x>", "?after=zz", "?year=2014&year=x"]
)
def test_timeline_ignores_bad_parameters(seeded: None, client: Client, query: str) -> None:
    assert client.get("/frise/" + query).status_code == 200
    assert client.get("/frise/" + query, **HTMX).status_code == 200


@pytest.mark.parametrize("extra", [0, 300])
def test_timeline_query_count_is_fixed(
    seeded: None, uncached: None, client: Client, extra: int
) -> None:
    add_milestones(extra)
    client.get("/frise/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/frise/")
    assert len(queries) == 6  # the threads between rows: one query


# --- Found in review -------------------------------------------------------------------------


def test_mission_list_shows_each_missions_progress(seeded: None, client: Client) -> None:
    html = client.get("/missions/?label=cloud").content.decode()
    # Stratégie nationale pour le Cloud: its pillars' deliverables are undated and its own
    # milestone is an event: nothing to measure, said as such rather than as 0 %.
    card = html.split("Stratégie nationale pour le Cloud</a>")[1].split("</tr>")[0]
    assert "pas de livrable daté" in card and "progressbar" not in card
    # The 2014 plan: two dated deliverables, planned at 0 %.
    card = html.split("Plan Cloud de la Nouvelle France industrielle</a>")[1].split("</tr>")[0]
    assert 'aria-valuenow="0"' in card


def test_mission_progress_counts_the_missions_own_milestones(seeded: None, client: Client) -> None:
    # The 2014 plan: no workstream milestone; of its four own milestones, the two done are
    # events (a meeting, an announcement), which never count: its two planned deliverables
    # at 0 % make its progress.
    mission = Mission.objects.get(key="plan-cloud-nouvelle-france-industrielle")
    url = reverse("initiatives:mission", args=[mission.key])
    assert 'aria-valuenow="0"' in client.get(url).content.decode().split("<dt>Avancement</dt>")[1]
    Milestone.objects.filter(mission=mission, key="plan-ficele").update(
        status="done", progress=100, completed_on=dt.date(2014, 6, 1)
    )
    assert 'aria-valuenow="50"' in client.get(url).content.decode().split("<dt>Avancement</dt>")[1]


@pytest.mark.parametrize(
    "url",
    [
        "/missions/?after=%C2%B2:x",
        "/missions/?before=%C2%B2:x",
        "/frise/?after=%C2%B2:x",
        "/frise/?year=%C2%B2",
        "/missions/?after=1:%00",
        "/missions/?before=1:%00",
        "/frise/?after=1:%00",
    ],
)
def test_unicode_digits_and_nul_in_cursors_are_ignored(
    seeded: None, client: Client, url: str
) -> None:
    assert client.get(url).status_code == 200


def test_back_button_history_restore_gets_the_whole_page(seeded: None, client: Client) -> None:
    for url, region in (("/missions/?label=cloud", "results"), ("/frise/?year=2020", "axis")):
        html = client.get(
            url, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
        ).content.decode()
        assert "<header" in html and f'id="{region}"' in html


def test_every_footnote_link_finds_its_anchor_on_the_source_page(
    seeded: None, client: Client
) -> None:
    from initiatives.models import Citation

    pages: dict[str, str] = {}
    for cit in Citation.objects.select_related("source"):
        key = cit.source.key
        if key not in pages:
            pages[key] = client.get(reverse("initiatives:source", args=[key])).content.decode()
        assert pages[key].count(f'id="quote-{cit.pk}"') == 1, cit.pk


def test_deadline_panel_poll_recomputes_only_the_panel(
    seeded: None, uncached: None, client: Client
) -> None:
    client.get("/?panel=deadlines", **HTMX)
    with CaptureQueriesContext(connection) as queries:
        client.get("/?panel=deadlines", **HTMX)
    # Health counts, next deadlines, overdue, "deadline passed, no news": no mission progress.
    assert len(queries) == 4


def test_timeline_says_how_many_missions_it_pages_through(seeded: None, client: Client) -> None:
    assert "— 4 missions</h2>" in client.get("/frise/").content.decode()


def test_search_reads_the_full_text_indexes(seeded: None) -> None:
    """The GIN indexes of migrations 0005 and 0015 only serve queries whose expression is the
    same."""
    from initiatives.models import Actor, Citation, Label, Milestone, Source
    from initiatives.selectors import search_matches

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: make the choice visible
    for model, fields, index in (
        (Mission, ("title", "summary"), "mission_search_idx"),
        (Workstream, ("title", "summary"), "workstream_search_idx"),
        (Citation, ("quote",), "citation_search_idx"),
        (Milestone, ("title", "comment"), "milestone_search_idx"),
        (Source, ("title", "text"), "source_search_idx"),
        (Actor, ("name", "description"), "actor_search_idx"),
        (Label, ("name", "description"), "label_search_idx"),
    ):
        plan = search_matches(model, fields, "cloud souverain").explain()
        assert f"Bitmap Index Scan on {index}" in plan, plan


def test_no_template_comment_spans_lines() -> None:
    """Django's {# … #} ends on its line: one that goes on is printed on the page as text
    (it once put a paragraph of developer notes at the top of every page)."""
    root = Path(settings.BASE_DIR)
    for path in [*(root / "templates").rglob("*.html"), *(root / "initiatives").rglob("*.html")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "{#" in line:
                assert "#}" in line.split("{#", 1)[1], f"{path.relative_to(root)}:{number}"
