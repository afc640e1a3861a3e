"""The fraud pages: a role × page matrix, plain-form flows, and query counts."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from claims.actors import Actor
from claims.links import link_issue, link_revoke
from claims.models import Claim, ClaimStatus, EvidenceKind, LinkPurpose
from claims.services import evidence_add
from fraud.models import FraudReview, Referral, WatchlistEntry
from fraud.referrals import fraud_refer
from fraud.scoring import fraud_attributes_record, fraud_score_claim, rules_ensure
from tests.factories import claim_in
from tests.fraud.support import outbox_run, photo_bytes

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "agent", "analyst", "supervisor"]
ALLOWED = {"analyst", "supervisor"}


@pytest.fixture
def held():
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    fraud_score_claim(claim=claim)
    return claim


def login(client, cast, role):
    if role != "anonymous":
        client.force_login(cast[role])


def pages(claim):
    return {
        "queue": ("get", reverse("backoffice:fraud-queue"), {}),
        "claim": ("get", reverse("backoffice:fraud-claim", args=[claim.pk]), {}),
        "watchlist": ("get", reverse("backoffice:fraud-watchlist"), {}),
        "rules": ("get", reverse("backoffice:fraud-rules"), {}),
        "rule-edit": ("get", reverse("backoffice:fraud-rule-edit", args=["watchlist"]), {}),
        "performance": ("get", reverse("backoffice:fraud-performance"), {}),
        "next-case": ("post", reverse("backoffice:fraud-next-case"), {}),
        "decide": (
            "post",
            reverse("backoffice:fraud-decide", args=[claim.pk]),
            {"action": "clear", "label": "false_positive", "note": "fine"},
        ),
        "reassign": (
            "post",
            reverse("backoffice:fraud-reassign", args=[claim.pk]),
            {"assignee": "", "reason": "back to queue"},
        ),
        "watchlist-add": (
            "post",
            reverse("backoffice:fraud-watchlist"),
            {"kind": "email", "value": "x@y.test", "reason": "r"},
        ),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "page",
    [
        "queue",
        "claim",
        "watchlist",
        "rules",
        "rule-edit",
        "performance",
        "next-case",
        "decide",
        "reassign",
        "watchlist-add",
    ],
)
def test_fraud_pages_permission_matrix(client, cast, held, role, page):
    rules_ensure()
    login(client, cast, role)
    method, url, data = pages(held)[page]
    response = getattr(client, method)(url, data)
    if role == "anonymous":
        assert response.status_code == 302 and "/staff/login/" in response["Location"]
    elif role in ALLOWED:
        assert response.status_code in (200, 302)
    else:
        assert response.status_code == 403
    held.refresh_from_db()
    changed = held.status != ClaimStatus.FRAUD_HOLD or WatchlistEntry.objects.exists()
    assert changed is (role in ALLOWED and page in ("decide", "watchlist-add"))


@pytest.mark.parametrize("page", ["next-case", "decide", "reassign"])
def test_post_only_pages_refuse_get(client, analyst, held, page):
    client.force_login(analyst)
    assert client.get(pages(held)[page][1]).status_code == 405


def test_decide_with_bad_input_says_why_and_changes_nothing(client, analyst, held):
    client.force_login(analyst)
    url = reverse("backoffice:fraud-decide", args=[held.pk])
    response = client.post(
        url, {"action": "clear", "label": "risk_confirmed", "note": "x"}, follow=True
    )
    assert "false-positive or valuable-alert label" in response.content.decode()
    response = client.post(
        url,
        {"action": "refer", "label": "valuable_alert", "note": "x", "adjuster_email": ""},
        follow=True,
    )
    assert "adjuster&#x27;s e-mail" in response.content.decode()
    held.refresh_from_db()
    assert held.status == ClaimStatus.FRAUD_HOLD
    assert not FraudReview.objects.exclude(decision="hold").exists()


def test_confirm_through_the_form_denies_and_watches(client, analyst, held):
    client.force_login(analyst)
    response = client.post(
        reverse("backoffice:fraud-decide", args=[held.pk]),
        {
            "action": "confirm",
            "label": "risk_confirmed",
            "note": "ring",
            "explanation": "Declined.",
            "watchlist_kinds": ["email"],
        },
        follow=True,
    )
    assert "Fraud confirmed" in response.content.decode()
    held.refresh_from_db()
    assert held.status == ClaimStatus.DENIED
    assert WatchlistEntry.objects.get().kind == "email"
    # and the watchlist names the claim the entry came from once (a helper saw it twice: in
    # the stored reason and again after it)
    row = client.get(reverse("backoffice:fraud-watchlist")).content.decode()
    assert row.count(held.reference) == 1


def test_next_case_button_assigns_and_opens_the_claim(client, analyst, held):
    client.force_login(analyst)
    response = client.post(reverse("backoffice:fraud-next-case"))
    assert response["Location"] == reverse("backoffice:fraud-claim", args=[held.pk])
    held.refresh_from_db()
    assert held.assignee == analyst
    response = client.post(reverse("backoffice:fraud-next-case"), follow=True)
    assert "No unassigned claim is waiting" in response.content.decode()


def test_queue_filters_by_rule_level_region_amount_and_age(client, analyst, held):
    other = claim_in(ClaimStatus.FRAUD_HOLD, amount_minor=99_000)
    fraud_score_claim(claim=other)
    client.force_login(analyst)
    url = reverse("backoffice:fraud-queue")

    def refs(params):
        return {c.reference for c in client.get(url, params).context["page"].rows}

    assert refs({}) == {held.reference, other.reference}
    assert refs({"rule": "amount_under_threshold"}) == {other.reference}
    # amounts in the claim's currency (dollars), never cents
    assert refs({"amount_min": "500"}) == {other.reference}
    assert refs({"amount_max": "500.00"}) == {held.reference}
    assert refs({"amount_min": "990"}) == {other.reference}
    assert refs({"amount_min": "990.01"}) == set()
    assert refs({"region": "US", "level": "low"}) == {held.reference, other.reference}
    assert refs({"level": "high"}) == set()
    Claim.objects.filter(pk=held.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=5))
    assert refs({"older_than_days": 3}) == {held.reference}


def test_queue_with_a_bad_filter_says_so(client, analyst, held):
    client.force_login(analyst)
    response = client.get(reverse("backoffice:fraud-queue"), {"amount_min": "lots"})
    assert response.status_code == 200
    assert "Enter a number" in response.content.decode()


def test_queue_amount_filters_say_they_take_the_currency_s_units(client, analyst, held):
    client.force_login(analyst)
    page = client.get(reverse("backoffice:fraud-queue")).content.decode()
    assert "cents" not in page
    assert "Amount from" in page and "In the claim&#x27;s currency" in page
    response = client.get(reverse("backoffice:fraud-queue"), {"amount_min": "12.345"})
    assert "Ensure that there are no more than 2 decimal places." in response.content.decode()


def test_queue_query_count_does_not_grow_with_rows(client, analyst, django_assert_num_queries):
    client.force_login(analyst)
    claim_in(ClaimStatus.FRAUD_HOLD)
    client.get(reverse("backoffice:fraud-queue"))  # warm the session and content types
    # the session comes from the cache: the user (with its regions, need-to-know), its
    # permissions, the rule choices, the region choices, the page of claims (the one queue
    # engine, titles and assignees by subquery) and the header's unread notifications (the
    # fraud pages have the staff header's search and count since it was missing from them)
    with django_assert_num_queries(6) as one:
        client.get(reverse("backoffice:fraud-queue"))
    for _ in range(19):
        claim_in(ClaimStatus.FRAUD_HOLD)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("backoffice:fraud-queue"))


def _linked_pair(held, n: int, tag: str) -> None:
    """n claims sharing a device with ``held`` (first degree), each sharing an IP with one more
    claim (second degree)."""
    for i in range(n):
        twin = claim_in(ClaimStatus.UNDER_REVIEW)
        fraud_attributes_record(claim=twin, device=f"dev-{tag}", ip=f"10.{tag}.0.{i}")
        far = claim_in(ClaimStatus.UNDER_REVIEW)
        fraud_attributes_record(claim=far, ip=f"10.{tag}.0.{i}")
    fraud_attributes_record(claim=held, device=f"dev-{tag}")


def test_claim_view_query_count_does_not_grow_with_evidence_or_links(
    client, analyst, held, django_assert_num_queries
):
    evidence_add(
        claim=held,
        data=photo_bytes(seed=1),
        filename="a.jpg",
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.customer(held.customer),
    )
    outbox_run(topic_prefix="fraud.evidence")
    _linked_pair(held, 1, "1")
    client.force_login(analyst)
    url = reverse("backoffice:fraud-claim", args=[held.pk])
    client.get(url)
    # 18, the header's unread notifications (the staff header's count) and marking the
    # viewer's notifications of the case read (one UPDATE on the partial index of unread rows)
    with django_assert_num_queries(20):
        client.get(url)
    # more evidence and more linked claims (first and second degree) cost no more queries
    for seed in (2, 3):
        evidence_add(
            claim=held,
            data=photo_bytes(seed=seed),
            filename="b.jpg",
            kind=EvidenceKind.DAMAGE_PHOTO,
            actor=Actor.customer(held.customer),
        )
    outbox_run(topic_prefix="fraud.evidence")
    _linked_pair(held, 3, "2")
    response = client.get(url)
    assert len([x for x in response.context["linked"] if x.degree == 2]) == 4
    with django_assert_num_queries(20):
        client.get(url)


def test_performance_shows_precision_per_rule(client, analyst):
    from fraud.services import fraud_clear, fraud_confirm

    confirmed = claim_in(ClaimStatus.FRAUD_HOLD, amount_minor=99_000)
    cleared = claim_in(ClaimStatus.FRAUD_HOLD, amount_minor=98_000)
    for claim in (confirmed, cleared):
        fraud_score_claim(claim=claim)
    fraud_confirm(claim=confirmed, actor=Actor.staff(analyst), note="n")
    fraud_clear(claim=cleared, actor=Actor.staff(analyst), label="false_positive", note="n")
    client.force_login(analyst)
    response = client.get(reverse("backoffice:fraud-performance"))
    row = next(r for r in response.context["rows"] if r["rule"].code == "amount_under_threshold")
    assert (row["hits"], row["confirmed"], row["cleared"], row["precision"]) == (2, 1, 1, 50)
    assert (
        client.get(
            reverse("backoffice:fraud-performance"), {"since": "2030-01-02", "until": "2030-01-01"}
        ).context["rows"]
        == []
    )


# --- the adjuster's link -------------------------------------------------------------------


@pytest.fixture
def referral(analyst, held, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = fraud_refer(
            claim=held,
            actor=Actor.staff(analyst),
            adjuster_email="e@adj.test",
            label="valuable_alert",
            note="n",
        )
    made.token = mailoutbox[-1].body.split("/fraud/adjuster/")[1].split("/")[0]
    return made


def test_adjuster_sees_only_their_claim_and_uploads_a_report(client, referral):
    evidence = evidence_add(
        claim=referral.claim,
        data=photo_bytes(seed=1),
        filename="a.jpg",
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.system(),
    )
    other = claim_in(ClaimStatus.FRAUD_HOLD)
    foreign = evidence_add(
        claim=other,
        data=photo_bytes(seed=2),
        filename="b.jpg",
        kind=EvidenceKind.DAMAGE_PHOTO,
        actor=Actor.system(),
    )
    url = reverse("fraud:adjuster", args=[referral.token])
    page = client.get(url).content.decode()
    assert referral.claim.reference in page and other.reference not in page
    assert referral.claim.customer.email not in page  # only what they need
    ok = client.get(reverse("fraud:adjuster-evidence", args=[referral.token, evidence.pk]))
    assert ok.status_code == 200
    assert (
        client.get(
            reverse("fraud:adjuster-evidence", args=[referral.token, foreign.pk])
        ).status_code
        == 404
    )
    upload = SimpleUploadedFile("report.jpg", photo_bytes(seed=9), content_type="image/jpeg")
    response = client.post(
        url, {"report": upload, "recommendation": "confirm", "summary": "Staged."}, follow=True
    )
    assert "your report has been received" in response.content.decode()
    referral.refresh_from_db()
    assert referral.recommendation == "confirm"


def test_adjuster_report_with_a_bad_file_is_refused_and_nothing_stored(client, referral):
    upload = SimpleUploadedFile("report.exe", b"MZ\x90\x00", content_type="application/pdf")
    response = client.post(
        reverse("fraud:adjuster", args=[referral.token]),
        {"report": upload, "recommendation": "clear", "summary": "ok"},
        follow=True,
    )
    assert "not accepted" in response.content.decode()
    referral.refresh_from_db()
    assert referral.reported_at is None


def test_adjuster_report_beaten_by_a_concurrent_one_leaves_no_orphan_file(referral, settings):
    from pathlib import Path

    from claims.models import Evidence
    from fraud.referrals import fraud_referral_report
    from fraud.services import FraudError

    # given: another request recorded a report after this one read the referral
    Referral.objects.filter(pk=referral.pk).update(reported_at=timezone.now())
    # when: this one writes its file, then loses the compare-and-swap
    with pytest.raises(FraudError, match="already been received"):
        fraud_referral_report(
            referral=referral,
            data=photo_bytes(seed=4),
            filename="report.jpg",
            recommendation="clear",
            summary="Fine.",
        )
    # then: no row and no file left behind
    assert not Evidence.objects.filter(kind=EvidenceKind.REPORT).exists()
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(
    "state", ["expired", "revoked", "seller_link", "customer_link", "tampered"]
)
def test_adjuster_link_refused_when_not_valid(client, referral, held, state):
    token = referral.token
    if state == "expired":
        type(referral.link).objects.filter(pk=referral.link_id).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    elif state == "revoked":
        link_revoke(link=referral.link, revoked_by=None, reason="done")
    elif state in ("seller_link", "customer_link"):  # their links open nothing here
        _link, token = link_issue(
            purpose=LinkPurpose.SELLER_RESPONSE
            if state == "seller_link"
            else LinkPurpose.CUSTOMER_SIGN_IN,
            email="s@x.test",
            expires_in=dt.timedelta(days=1),
            claim=held,
        )
    else:
        token = token[:-2] + "xx"
    response = client.get(reverse("fraud:adjuster", args=[token]))
    assert response.status_code == 403
    assert held.reference not in response.content.decode()
    response = client.post(
        reverse("fraud:adjuster", args=[token]), {"recommendation": "clear", "summary": "x"}
    )
    assert response.status_code == 403
    assert not Referral.objects.filter(reported_at__isnull=False).exists()


def test_adjuster_link_opens_no_staff_page(client, referral):
    client.get(reverse("fraud:adjuster", args=[referral.token]))
    response = client.get(reverse("backoffice:fraud-claim", args=[referral.claim_id]))
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_supervisor_changes_the_review_threshold_in_the_admin_with_history(client, cast):
    from fraud.models import ScoringPolicy
    from fraud.scoring import scoring_policy

    policy = scoring_policy()
    url = reverse("admin:fraud_scoringpolicy_change", args=[policy.pk])
    for role in ("agent", "analyst", "outsider"):
        client.force_login(cast[role])
        assert client.get(url).status_code == 403
    client.force_login(cast["supervisor"])
    response = client.post(url, {"review_threshold": 80, "high_threshold": 70})
    assert response.status_code == 200  # refused: review above high
    assert ScoringPolicy.objects.get().review_threshold == 40
    client.post(url, {"review_threshold": 55, "high_threshold": 80})
    policy.refresh_from_db()
    assert (policy.review_threshold, policy.high_threshold) == (55, 80)
    assert policy.history.count() == 2


def test_adjuster_reports_are_rate_limited_per_link(client, referral, settings):
    # given: issue 19 asked for every party's repeatable write to be limited
    from django.core.cache import cache

    cache.clear()
    settings.LINK_WRITES_PER_LINK_PER_HOUR = 1
    url = reverse("fraud:adjuster", args=[referral.token])
    assert client.post(url, {"recommendation": "clear", "summary": "first"}).status_code == 400
    # when
    response = client.post(url, {"recommendation": "clear", "summary": "Second try"})
    # then
    assert response.status_code == 429
    html = response.content.decode()
    assert "Please wait a while" in html and "Second try" in html
    referral.refresh_from_db()
    assert referral.reported_at is None
    cache.clear()


@pytest.mark.parametrize(
    ("page", "params", "message"),
    [
        (
            "backoffice:fraud-performance",
            {"since": "2026-01-01", "until": "9999-12-31"},
            "Enter a date between",
        ),
        (
            "backoffice:fraud-performance",
            {"since": "0001-01-01", "until": "2026-01-01"},
            "Enter a date between",
        ),
        (
            "backoffice:fraud-queue",
            {"older_than_days": "99999999999"},
            "Enter a whole number from 0 to 3660.",
        ),
        # a whole number of days, as every whole number is asked (was taken as 1)
        ("backoffice:fraud-queue", {"older_than_days": "1.5"}, "Enter a whole number."),
        ("backoffice:fraud-queue", {"amount_min": "1e999999"}, "less than or equal to"),
    ],
)
def test_far_dates_and_huge_numbers_are_refused_with_a_message(
    client, analyst, held, page, params, message
):
    # given: issue 19 found both pages answering 500 (date arithmetic overflowed)
    client.force_login(analyst)
    # when
    response = client.get(reverse(page), params)
    # then
    assert response.status_code == 200
    assert message in response.content.decode()


# --- issue 13: the Fraud area of the staff app, on the one queue engine -------------------


def test_the_fraud_queue_pages_with_the_keyset_cursor_highest_risk_first(client, analyst):
    # given: 30 claims on hold, risk scores from 0 to 29 (three of them tied at 7)
    claims = [claim_in(ClaimStatus.FRAUD_HOLD) for _ in range(30)]
    for score, claim in enumerate(claims):
        Claim.objects.filter(pk=claim.pk).update(risk_score=7 if score in (5, 6, 7) else score)
    client.force_login(analyst)
    url = reverse("backoffice:fraud-queue")
    # when: the first page, then the page its "Next page" link opens
    first = client.get(url)
    second = client.get(url, {"after": first.context["page"].next_cursor})
    # then: 25 then 5 rows, none twice, no count, highest risk first and ties oldest first
    rows = first.context["page"].rows + second.context["page"].rows
    assert [len(first.context["page"].rows), len(second.context["page"].rows)] == [25, 5]
    assert len({c.pk for c in rows}) == 30
    assert [c.risk_score for c in rows] == sorted((c.risk_score for c in rows), reverse=True)
    tied = [c.pk for c in rows if c.risk_score == 7]
    assert tied == sorted(tied)
    assert 'rel="next"' in first.content.decode()
    assert second.context["page"].next_cursor == ""
    # and a forged cursor is named, showing the first page
    bad = client.get(url, {"after": "x~y"})
    assert "no longer valid" in bad.content.decode() and len(bad.context["page"].rows) == 25


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/fraud/", "/staff/fraud/"),
        ("/fraud/?level=high", "/staff/fraud/?level=high"),
        ("/fraud/claims/7/", "/staff/fraud/claims/7/"),
        ("/fraud/watchlist/", "/staff/fraud/watchlist/"),
        ("/fraud/rules/", "/staff/fraud/rules/"),
        ("/fraud/rules/watchlist/", "/staff/fraud/rules/watchlist/"),
        ("/fraud/performance/", "/staff/fraud/performance/"),
    ],
)
def test_the_old_fraud_addresses_redirect_to_the_staff_app(client, old, new):
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        # issue 14: "Confirm fraud" with the label "False positive" and no explanation
        (
            {
                "action": "confirm",
                "label": "false_positive",
                "note": "Photos reused",
                "explanation": "",
            },
            "label",
            "Confirming fraud needs the label",
        ),
        (
            {
                "action": "confirm",
                "label": "risk_confirmed",
                "note": "Photos reused",
                "explanation": " ",
            },
            "explanation",
            "Write the explanation the customer reads",
        ),
        (
            {"action": "clear", "label": "risk_confirmed", "note": "Photos reused"},
            "label",
            "Clearing a claim needs a false-positive or valuable-alert label",
        ),
        (
            # no label: said as what to do, not Django's "This field is required."
            {"action": "clear", "label": "", "note": "Photos reused"},
            "label",
            "Choose a label for this case.",
        ),
        (
            {
                "action": "refer",
                "label": "valuable_alert",
                "note": "Photos reused",
                "adjuster_email": "",
            },
            "adjuster_email",
            "Enter the adjuster",
        ),
        (
            {
                "action": "clear",
                "label": "false_positive",
                "note": "Photos reused",
                "watchlist_kinds": ["email"],
            },
            "watchlist_kinds",
            "Only confirming fraud",
        ),
    ],
)
def test_a_contradictory_fraud_decision_is_refused_with_what_was_typed(
    client, analyst, held, data, field, message
):
    # given
    client.force_login(analyst)
    reviews = FraudReview.objects.count()
    # when
    response = client.post(reverse("backoffice:fraud-decide", args=[held.pk]), data)
    # then: the case page again, the problem beside its field, nothing recorded
    assert response.status_code == 400
    form = response.context["decision_form"]
    assert any(message in e for e in form.errors[field]), form.errors
    assert "Photos reused</textarea>" in response.content.decode()
    held.refresh_from_db()
    assert held.status == ClaimStatus.FRAUD_HOLD and FraudReview.objects.count() == reviews
    assert not WatchlistEntry.objects.exists()


def test_the_fraud_decision_form_has_no_preset_label(client, analyst, held):
    client.force_login(analyst)
    page = client.get(reverse("backoffice:fraud-claim", args=[held.pk])).content.decode()
    assert '<option value="" selected>Choose a label…</option>' in page


def test_reassigning_without_a_reason_keeps_the_chosen_analyst_and_says_why_beside_it(
    client, analyst, supervisor, held
):
    # given: the tester's report (point 2): the form came back with "Nobody"
    client.force_login(analyst)
    url = reverse("backoffice:fraud-reassign", args=[held.pk])
    # when
    response = client.post(url, {"assignee": supervisor.pk, "reason": ""})
    # then: the case page again, the analyst still chosen, the error beside the reason
    assert response.status_code == 400
    form = response.context["reassign_form"]
    assert str(form["assignee"].value()) == str(supervisor.pk)
    assert form.errors["reason"]
    page = response.content.decode()
    assert f'<option value="{supervisor.pk}" selected>' in page
    reason_at = page.index('id="id_reason"')
    assert page.rfind("errorlist", 0, reason_at) > page.index('id="reassign"')
    held.refresh_from_db()
    assert held.assignee is None


def test_deciding_a_claim_already_decided_in_another_tab_says_who_decided_it(
    client, analyst, supervisor, held
):
    # given: the supervisor cleared the claim while the analyst's tab still showed the form
    from fraud.services import fraud_clear

    fraud_clear(claim=held, actor=Actor.staff(supervisor), label="false_positive", note="ok")
    reviews = FraudReview.objects.count()
    client.force_login(analyst)
    # when: the analyst clears it too
    response = client.post(
        reverse("backoffice:fraud-decide", args=[held.pk]),
        {"action": "clear", "label": "false_positive", "note": "fine"},
        follow=True,
    )
    # then: a message naming who decided, and nothing recorded
    page = response.content.decode()
    assert f"Claim {held.reference} was already decided by supervisor (Cleared)" in page
    assert "nothing was changed" in page
    assert FraudReview.objects.count() == reviews


# --- the tester's report: the watchlist form and the queue's amount filters ----------------


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("ip", "999.1.1.1", "Enter a valid IPv4 or IPv6 address."),
        ("ip", "1" * 3000, "at most 45 characters"),
        ("email", "x" * 250 + "@example.test", "at most 254 characters"),
        ("phone", "12", "not a valid value"),
    ],
    ids=["ip-out-of-range", "ip-3000-characters", "email-too-long", "phone-too-short"],
)
def test_the_watchlist_refuses_a_value_wrong_for_its_kind_beside_the_value(
    client, analyst, kind, value, message
):
    client.force_login(analyst)
    # when
    response = client.post(
        reverse("backoffice:fraud-watchlist"), {"kind": kind, "value": value, "reason": "Mule"}
    )
    # then: the form again, what was typed kept, the problem beside the value
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in e for e in form.errors["value"]), form.errors
    assert form["reason"].value() == "Mule"
    assert not WatchlistEntry.objects.exists()


def test_the_watchlist_reports_every_problem_at_once(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("backoffice:fraud-watchlist"), {"kind": "email", "value": "not-mail", "reason": ""}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"value", "reason"}
    page = response.content.decode()
    assert "Enter a valid email address." in page and 'value="not-mail"' in page
    assert not WatchlistEntry.objects.exists()


def test_the_watchlist_wraps_long_values_instead_of_widening_the_page(client, analyst):
    from fraud.services import watchlist_add

    watchlist_add(kind="device", value="d" * 200, reason="Mule", actor=Actor.staff(analyst))
    client.force_login(analyst)
    page = client.get(reverse("backoffice:fraud-watchlist")).content.decode()
    assert '<code class="watched-value">' + "d" * 200 in page
    from django.contrib.staticfiles import finders

    with open(finders.find("css/fraud.css")) as css:
        rules = css.read()
    assert ".watched-value" in rules and "overflow-wrap: anywhere" in rules


def test_a_huge_amount_filter_gets_one_plain_message(client, analyst, held):
    client.force_login(analyst)
    response = client.get(reverse("backoffice:fraud-queue"), {"amount_min": "1e9999"})
    page = response.content.decode()
    assert response.status_code == 200
    # one message for the one problem (not django-filter's second, "≤ 1e+50"), in each place
    # it is said: the messages above the queue, and beside the field
    assert page.count("Ensure this value is less than or equal to") == 2
    assert page.count("Amount from: Ensure this value is less than or equal to") == 1
    beside = re.search(r'<ul class="errorlist" id="id_amount_min_error">(.*?)</ul>', page, re.S)
    assert beside.group(1).count("<li>") == 1
    assert "Ensure this value is less than or equal to" in beside.group(1)
    assert "1e+50" not in page
    assert list(response.context["page"].rows) == []


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("older_than_days", "1.5", "Enter a whole number."),
        ("amount_min", "lots", "Enter a number."),
        ("level", "dire", "Select a valid choice. dire is not one of the available choices."),
    ],
)
def test_a_bad_fraud_filter_is_said_beside_its_field_and_tied_to_it(
    client, analyst, held, field, typed, message
):
    # given: Django points an invalid input's aria-describedby at its error's id, which the
    # fraud queue's form did not render (the problem was only in the messages above)
    client.force_login(analyst)
    # when
    response = client.get(reverse("backoffice:fraud-queue"), {field: typed})
    # then: the problem beside the field, with the id the field names; what was typed kept
    page = response.content.decode()
    tag = re.search(rf'<(?:input|select)[^>]*name="{field}"[^>]*>', page).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', tag).group(1).split()
    assert f"id_{field}_error" in described
    for element_id in described:
        assert page.count(f'id="{element_id}"') == 1, element_id
    errors = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    assert errors.group(1) == f"<li>{message}</li>"
    if field != "level":
        assert f'value="{typed}"' in tag
    assert list(response.context["page"].rows) == []


def test_an_amount_from_above_up_to_says_so(client, analyst, held):
    client.force_login(analyst)
    response = client.get(
        reverse("backoffice:fraud-queue"), {"amount_min": "500", "amount_max": "100"}
    )
    assert "The “from” amount is above the “up to” amount." in response.content.decode()


def test_rules_page_names_each_parameter_and_its_values(client, analyst):
    """Issue: the rules page showed each rule's parameters as a Python dict
    ("{'kinds': ['email', 'phone', …]}", "{'window_days': 60, 'min_claims': 3}"): codes."""
    rules_ensure()
    client.force_login(analyst)
    page = client.get(reverse("backoffice:fraud-rules")).content.decode()
    assert "{&#x27;" not in page and "window_days" not in page and "min_claims" not in page
    assert "Window (days): 60" in page and "Claims at least: 3" in page
    assert (
        "Details compared: E-mail, Phone, Postal address, Payout account, Device, IP address"
        in (page)
    )
