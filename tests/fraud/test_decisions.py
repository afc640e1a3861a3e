"""Analysts' decisions with labels and notes, watchlists, adjuster referrals and reminders."""

import datetime as dt

import pytest
from django.utils import timezone

from claims.actors import Actor
from claims.links import LinkRefused, link_resolve
from claims.models import ClaimStatus, DenialReason, Evidence, EvidenceKind, LinkPurpose
from fraud.models import FraudDecision, FraudReview, Recommendation, Referral, WatchlistEntry
from fraud.referrals import fraud_refer, fraud_referral_remind, fraud_referral_report
from fraud.scoring import fraud_attributes_record
from fraud.services import FraudError, fraud_clear, fraud_confirm, watchlist_add
from tests.factories import claim_in
from tests.fraud.support import photo_bytes

pytestmark = pytest.mark.django_db


def test_confirm_denies_with_the_fraud_reason_and_watches_chosen_attributes(analyst):
    # given
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    fraud_attributes_record(claim=claim, device="dev-9")
    # when
    fraud_confirm(
        claim=claim,
        actor=Actor.staff(analyst),
        note="Photo reused from PL-US-1",
        explanation="The photos belong to another claim.",
        watchlist_kinds=["email", "device"],
    )
    # then
    claim.refresh_from_db()
    assert (claim.status, claim.denial_reason) == (ClaimStatus.DENIED, DenialReason.FRAUD)
    assert claim.events.last().reason == "The photos belong to another claim."
    watched = set(WatchlistEntry.objects.values_list("kind", "value"))
    assert watched == {("email", claim.customer.email.lower()), ("device", "dev-9")}
    entry = WatchlistEntry.objects.get(kind="device")
    assert entry.added_by == analyst and entry.source_claim == claim and entry.expires_at


def test_decisions_need_a_note_and_change_nothing_without_one(analyst):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    with pytest.raises(FraudError, match="note"):
        fraud_clear(claim=claim, actor=Actor.staff(analyst), label="false_positive", note=" ")
    with pytest.raises(FraudError, match="note"):
        fraud_confirm(claim=claim, actor=Actor.staff(analyst), note="")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.FRAUD_HOLD and not FraudReview.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("email", "", "valid email address"),
        ("phone", "12", "not a valid value"),
        ("fax", "1", "kind"),
        ("email", "a@b.test", None),
    ],
)
def test_watchlist_add_refuses_bad_input(analyst, kind, value, message):
    actor = Actor.staff(analyst)
    if message is None:
        watchlist_add(kind=kind, value=value, reason="r", actor=actor)
        with pytest.raises(FraudError, match="already"):
            watchlist_add(kind=kind, value=value.upper(), reason="r", actor=actor)
        assert WatchlistEntry.objects.count() == 1
    else:
        with pytest.raises(FraudError, match=message):
            watchlist_add(kind=kind, value=value, reason="r", actor=actor)
        assert not WatchlistEntry.objects.exists()


def test_watchlist_add_needs_a_reason_and_a_future_expiry(analyst):
    actor = Actor.staff(analyst)
    with pytest.raises(FraudError, match="why"):
        watchlist_add(kind="email", value="a@b.test", reason="", actor=actor)
    with pytest.raises(FraudError, match="future"):
        watchlist_add(
            kind="email",
            value="a@b.test",
            reason="r",
            actor=actor,
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
    assert not WatchlistEntry.objects.exists()


def token_in(mail) -> str:
    return mail.body.split("/fraud/adjuster/")[1].split("/")[0]


def _refer(analyst, mailoutbox, capture):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    with capture(execute=True):
        referral = fraud_refer(
            claim=claim,
            actor=Actor.staff(analyst),
            adjuster_email="expert@adjusters.test",
            label="valuable_alert",
            note="Need an expert on burn marks",
        )
    return referral, token_in(mailoutbox[-1])


def test_refer_sends_a_link_bound_to_the_claim_and_keeps_the_hold(
    analyst, mailoutbox, django_capture_on_commit_callbacks
):
    referral, token = _refer(analyst, mailoutbox, django_capture_on_commit_callbacks)
    assert mailoutbox[-1].to == ["expert@adjusters.test"]
    link = link_resolve(token=token, purpose=LinkPurpose.ADJUSTER_REVIEW, claim=referral.claim)
    assert link.claim_id == referral.claim_id
    referral.claim.refresh_from_db()
    assert referral.claim.status == ClaimStatus.FRAUD_HOLD
    review = FraudReview.objects.get(decision=FraudDecision.REFERRED)
    assert (review.label, review.note) == ("valuable_alert", "Need an expert on burn marks")
    assert referral.due_at.date() == (timezone.now() + dt.timedelta(days=10)).date()


def test_refer_refuses_a_bad_email_and_writes_nothing(analyst):
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    with pytest.raises(FraudError, match="e-mail"):
        fraud_refer(
            claim=claim,
            actor=Actor.staff(analyst),
            adjuster_email="nope",
            label="valuable_alert",
            note="n",
        )
    assert not Referral.objects.exists() and not FraudReview.objects.exists()


def test_adjuster_report_is_stored_once_and_the_analyst_still_decides(
    analyst, mailoutbox, django_capture_on_commit_callbacks
):
    referral, _token = _refer(analyst, mailoutbox, django_capture_on_commit_callbacks)
    fraud_referral_report(
        referral=referral,
        data=photo_bytes(seed=2),
        filename="report.jpg",
        recommendation=Recommendation.CONFIRM,
        summary="Staged damage.",
    )
    referral.refresh_from_db()
    assert referral.recommendation == "confirm" and referral.reported_at
    report = Evidence.objects.get(kind=EvidenceKind.REPORT)
    assert report.uploaded_by_party == "adjuster" and referral.report == report
    referral.claim.refresh_from_db()
    assert referral.claim.status == ClaimStatus.FRAUD_HOLD
    with pytest.raises(FraudError, match="already"):
        fraud_referral_report(
            referral=referral,
            data=photo_bytes(seed=3),
            filename="r2.jpg",
            recommendation="clear",
            summary="Second thoughts",
        )
    assert Evidence.objects.filter(kind=EvidenceKind.REPORT).count() == 1


def test_reminders_go_once_with_a_fresh_link_and_the_old_one_stops_working(
    analyst, mailoutbox, django_capture_on_commit_callbacks
):
    referral, old_token = _refer(analyst, mailoutbox, django_capture_on_commit_callbacks)
    later = referral.due_at - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert fraud_referral_remind(now=later) == 1
        assert fraud_referral_remind(now=later) == 0
    assert "Reminder" in mailoutbox[-1].subject and len(mailoutbox) == 2
    new_token = token_in(mailoutbox[-1])
    with pytest.raises(LinkRefused):
        link_resolve(token=old_token, purpose=LinkPurpose.ADJUSTER_REVIEW)
    assert link_resolve(token=new_token, purpose=LinkPurpose.ADJUSTER_REVIEW).claim_id == (
        referral.claim_id
    )


def test_reminders_skip_referrals_not_yet_due_or_already_reported(
    analyst, mailoutbox, django_capture_on_commit_callbacks
):
    referral, _ = _refer(analyst, mailoutbox, django_capture_on_commit_callbacks)
    assert fraud_referral_remind(now=timezone.now()) == 0  # due in 10 days
    Referral.objects.filter(pk=referral.pk).update(reported_at=timezone.now())
    assert fraud_referral_remind(now=referral.due_at) == 0
