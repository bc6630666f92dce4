"""A pledge released narrowly stays narrow everywhere it shows up: engagements, exports,
children, citation counts."""

from __future__ import annotations

import datetime as dt

import pytest

from stabforce.core.models import Nation, Source
from stabforce.forcegen import queries, services, tabular
from stabforce.forcegen.models import Engagement, Pledge


@pytest.fixture
def hidden_alb(gaza):
    pledge = Pledge.objects.get(key="alb-contingent")
    pledge.releasability = "hq"
    pledge.save()
    services.sync_child_release(pledge)
    return pledge


def test_engagement_page_lists_only_visible_pledges(client, users, gaza, hidden_alb):
    engagement = Engagement.objects.get(key="bop-meeting-2026-02-19")
    client.force_login(users["lno_idn"])
    page = client.get(f"/forcegen/engagements/{engagement.pk}/").content.decode()
    assert "Indonesia" in page and "Albania: " not in page
    client.force_login(users["hq"])
    assert "Albania: " in client.get(f"/forcegen/engagements/{engagement.pk}/").content.decode()


def test_children_follow_a_listed_release(users, gaza):
    pledge = Pledge.objects.get(key="pak-infantry")
    pledge.releasability = "nations"
    pledge.save()
    pledge.releasable_to.set(Nation.objects.filter(iso3="IDN"))
    services.sync_child_release(pledge)
    row = {p.key: p for p in queries.pledges_as_of(users["lno_idn"], gaza, dt.date(2025, 12, 20))}
    assert row["pak-infantry"].status_on == "considering"
    timeline = queries.pledge_timeline(users["lno_idn"], pledge)
    assert any(entry.kind == "condition" for entry in timeline)
    assert pledge.status_changes.visible_to(users["humlo"]).count() == 0  # NOR: not listed


def test_export_does_not_name_a_source_the_user_may_not_see(users, gaza):
    pledge = Pledge.objects.get(key="ita-trainers")
    source = pledge.status_changes.get().source
    Source.objects.filter(pk=source.pk).update(releasability="hq")
    rows = {r["key"]: r for r in tabular.export_pledges(users["lno_idn"], gaza)}
    assert rows["ita-trainers"]["source"] == ""
    rows = {r["key"]: r for r in tabular.export_pledges(users["hq"], gaza)}
    assert rows["ita-trainers"]["source"] == source.key


def test_source_citation_count_matches_what_is_listed(client, users, gaza, hidden_alb):
    source = Source.objects.get(key="turkiye-today-bop-2026-02-19")
    from stabforce.core.services import create_api_token

    _, raw = create_api_token(users["lno_idn"])
    body = client.get(
        f"/api/v1/missions/{gaza.slug}/sources/{source.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}"
    ).json()
    assert body["evidence_count"] == len(body["cited_by"])
    assert all(item.get("key") != "alb-contingent" for item in body["cited_by"])


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_extreme_dates_are_a_message_not_a_500(client, users, gaza, as_of):
    client.force_login(users["hq"])
    response = client.get(f"/forcegen/missions/{gaza.slug}/gaps/?as_of={as_of}")
    assert response.status_code == 200
    assert "between 1900 and" in response.content.decode()


def test_changing_release_in_the_admin_re_releases_the_children(client, users, gaza):
    pledge = Pledge.objects.get(key="kaz-troops")
    client.force_login(users["admin"])
    page = client.get(f"/admin/forcegen/pledge/{pledge.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: field.value() if field.value() is not None else ""
        for name, field in ((n, form[n]) for n in form.fields)
    }
    data.update(releasability="hq", releasable_to=[])
    data = {k: v for k, v in data.items() if v != [] or k == "releasable_to"}
    response = client.post(f"/admin/forcegen/pledge/{pledge.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(pledge.status_changes.values_list("releasability", flat=True)) == {"hq"}
    assert not pledge.figures.visible_to(users["lno_idn"]).exists()
