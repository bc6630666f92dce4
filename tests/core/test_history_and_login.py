"""Record time (the audit history) and login throttling."""

from __future__ import annotations

import time

from django.utils import timezone

from stabforce.core.models import Crossing
from stabforce.core.queries import as_recorded, record_history


def test_what_the_database_said_before_a_change_can_be_read_back(users, gaza):
    crossing = Crossing.objects.get(mission=gaza, key="rafah-crossing")
    before_change = timezone.now()
    time.sleep(0.01)
    crossing.status = "open"
    crossing._change_reason = "reopened per test"
    crossing.save()
    then = {c.key: c.status for c in as_recorded(Crossing, users["hq"], before_change)}
    now = {c.key: c.status for c in Crossing.objects.filter(mission=gaza)}
    assert then["rafah-crossing"] == "closed" and now["rafah-crossing"] == "open"
    latest = record_history(crossing)[0]
    assert latest.kind == "changed" and latest.reason == "reopened per test"
    assert [(c.field, c.before, c.after) for c in latest.changes] == [("status", "closed", "open")]


def test_as_recorded_reads_respect_visibility(users, gaza):
    crossing = Crossing.objects.get(mission=gaza, key="kerem-shalom")
    crossing.releasability = "hq"
    crossing.save()
    keys = {c.key for c in as_recorded(Crossing, users["observer"], timezone.now())}
    assert "kerem-shalom" not in keys and "kissufim" in keys


def test_repeated_failed_logins_lock_the_user_out(client, users, settings):
    users["hq"].set_password("correct horse battery staple")
    users["hq"].save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/login/", {"username": "t-hq", "password": "wrong"})
        assert response.status_code == 200  # the form again, with an error
    last_try = client.post("/login/", {"username": "t-hq", "password": "wrong"})
    assert last_try.status_code == 429  # the limit is reached: locked out
    locked = client.post(
        "/login/", {"username": "t-hq", "password": "correct horse battery staple"}
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
