"""What needs me: each notification written where the thing happens, the header count, the page,
and read when acted on."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Notification, NotificationKind
from backoffice.notifications import sla_at_risk_notify
from backoffice.services import (
    claim_assign_to_me,
    claim_reassign,
    claim_take_next,
    claims_auto_assign,
    sla_breaches_record,
)
from claims import roles
from claims.actors import Actor
from claims.models import Claim, ClaimStatus
from tests.conftest import _staff
from tests.factories import claim_in

pytestmark = pytest.mark.django_db
PAGE = reverse("backoffice:notifications")
ROLES = ["agent", "analyst", "supervisor", "outsider", "customer", "seller", "anonymous"]


def _mine(user, kind=None):
    found = Notification.objects.filter(recipient=user)
    return found.filter(kind=kind) if kind else found


def _unread(user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


# --- a claim assigned to me --------------------------------------------------------------------


def test_reassignment_notifies_the_new_holder_and_opening_the_claim_reads_it(
    client, agent, supervisor
):
    # given
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    # when: a supervisor assigns it to the agent
    claim_reassign(claim=claim, assignee=agent, actor_user=supervisor, reason="Workload")
    # then: one notification for the agent, none for the supervisor, counted in the header
    note = _mine(agent).get()
    assert note.kind == NotificationKind.ASSIGNED and note.claim_id == claim.pk
    assert claim.reference in note.text
    assert not _mine(supervisor).exists()
    client.force_login(agent)
    header = client.get(reverse("backoffice:queue")).content.decode()
    assert '<span class="count">1<span class="visually-hidden"> unread</span></span>' in header
    # when: the agent opens the claim
    client.get(reverse("backoffice:claim", args=[claim.pk]))
    # then: read, and the header counts nothing
    note.refresh_from_db()
    assert note.read_at is not None
    assert '<span class="count">' not in client.get(reverse("backoffice:queue")).content.decode()


def test_opening_the_fraud_case_reads_the_analyst_s_notifications_of_it(
    client, analyst, supervisor
):
    """Issue: a fraud case assigned to an analyst stayed unread while they opened and decided it
    on its fraud page (only the claim's workspace read it): the header kept counting it."""
    # given: a claim on fraud hold, assigned to the analyst by a supervisor
    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    claim_reassign(claim=claim, assignee=analyst, actor_user=supervisor, reason="Fraud review")
    note = _mine(analyst).get()
    client.force_login(analyst)
    # when: the analyst opens the case where they work it
    page = client.get(reverse("backoffice:fraud-claim", args=[claim.pk])).content.decode()
    # then: read, and the page's own header already counts nothing
    note.refresh_from_db()
    assert note.read_at is not None
    assert '<span class="count">' not in page


def test_an_assigned_notification_is_shown_in_the_readers_language(client, agent, supervisor):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    claim_reassign(claim=claim, assignee=agent, actor_user=supervisor, reason="Workload")
    client.force_login(agent)
    client.cookies["django_language"] = "es"
    body = client.get(PAGE).content.decode()
    assert f"Se le ha asignado la reclamación {claim.reference}." in body


def test_auto_assignment_notifies_the_agent_it_chose(db):
    agent = _staff("auto1", roles.AGENT)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    assert claims_auto_assign() == 1
    assert _mine(agent, NotificationKind.ASSIGNED).get().claim_id == claim.pk


def test_taking_a_claim_yourself_notifies_nobody(agent, supervisor):
    claim_in(ClaimStatus.UNDER_REVIEW)
    other = claim_in(ClaimStatus.UNDER_REVIEW)
    claim_take_next(user=agent)
    claim_assign_to_me(claim=other, user=supervisor)
    assert not Notification.objects.exists()


def test_opening_a_claim_reads_only_the_viewers_notifications_of_that_claim(
    client, agent, supervisor
):
    agent2 = _staff("agent2", roles.AGENT)
    first, second = claim_in(ClaimStatus.UNDER_REVIEW), claim_in(ClaimStatus.UNDER_REVIEW)
    claim_reassign(claim=first, assignee=agent, actor_user=supervisor, reason="r")
    claim_reassign(claim=second, assignee=agent, actor_user=supervisor, reason="r")
    claim_reassign(claim=first, assignee=agent2, actor_user=supervisor, reason="r")
    client.force_login(agent)
    client.get(reverse("backoffice:claim", args=[first.pk]))
    assert _mine(agent).get(claim=first).read_at is not None
    assert _mine(agent).get(claim=second).read_at is None
    assert _mine(agent2).get(claim=first).read_at is None


# --- a second approval awaiting me -------------------------------------------------------------


@pytest.fixture
def four_eyes(db):
    from payouts.models import ApprovalPolicy

    region = claim_in(ClaimStatus.SCREENING).region
    ApprovalPolicy.objects.update_or_create(
        region=region, defaults={"four_eyes_above_minor": 10_000}
    )


def _ask_second_approval(claim, by):
    from payouts.services import decision_approve

    items = {item.pk: item.claimed_minor for item in claim.losses.all()}
    result = decision_approve(claim=claim, actor=Actor.staff(by), approved=items)
    assert not result.approved
    return result.request


def test_second_approval_notifies_everyone_who_may_give_it(four_eyes, agent, analyst, supervisor):
    # given: a second supervisor and a superuser; the amount is within an agent's authority
    other = _staff("supervisor2", roles.SUPERVISOR)
    root = get_user_model().objects.create_superuser("root", "root@staff.test", "pw")
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=50_000)
    # when
    request = _ask_second_approval(claim, supervisor)
    # then: not the first approver, not analysts (they do not decide)
    told = set(
        Notification.objects.filter(kind=NotificationKind.APPROVAL).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {agent.username, other.username, root.username}
    note = _mine(other).get()
    assert note.approval_request_id == request.pk and "$500.00" in note.text


def test_second_approval_above_an_agents_authority_is_not_offered_to_agents(
    four_eyes, agent, supervisor
):
    from payouts.models import AuthorityLimit

    # given: agents may approve up to $200.00 alone; the claim is for $500.00
    other = _staff("supervisor2", roles.SUPERVISOR)
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=50_000)
    AuthorityLimit.objects.filter(policy__region=claim.region, role=roles.AGENT).update(
        limit_minor=20_000
    )
    _ask_second_approval(claim, supervisor)
    assert not _mine(agent).exists()
    assert _mine(other, NotificationKind.APPROVAL).exists()


def test_second_approval_is_not_offered_to_staff_of_other_regions(four_eyes, supervisor):
    # given: a supervisor of the UK only (need-to-know: a US claim's approval is not theirs to
    # see, so its reference and amount are not put in their notifications either)
    uk = _staff("supervisor-gb", roles.SUPERVISOR, regions=["GB"])
    other = _staff("supervisor2", roles.SUPERVISOR)
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=50_000)
    # when
    _ask_second_approval(claim, supervisor)
    # then
    assert not _mine(uk).exists()
    assert _mine(other, NotificationKind.APPROVAL).exists()


def test_deciding_the_approval_reads_everyones_notification_of_it(four_eyes, agent, supervisor):
    from payouts.services.decisions import approval_second

    other = _staff("supervisor2", roles.SUPERVISOR)
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=50_000)
    request = _ask_second_approval(claim, supervisor)
    approval_second(request=request, actor=Actor.staff(other))
    assert not Notification.objects.filter(approval_request=request, read_at=None).exists()


def test_rejecting_the_approval_reads_them_too(four_eyes, agent, supervisor):
    from payouts.services.decisions import approval_reject

    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=50_000)
    request = _ask_second_approval(claim, supervisor)
    approval_reject(request=request, actor=Actor.staff(agent), note="Receipt does not match.")
    assert _unread(agent) == 0


def test_approval_notification_links_to_the_review_of_the_request(
    client, four_eyes, agent, supervisor
):
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=50_000)
    request = _ask_second_approval(claim, supervisor)
    client.force_login(agent)
    body = client.get(PAGE).content.decode()
    assert reverse("backoffice:decision-approval", args=[request.pk]) in body


def test_a_french_speaking_supervisor_sees_the_approval_notification_in_french(
    client, four_eyes, agent, supervisor
):
    # given: a second approval of $500.00 awaits another supervisor
    other = _staff("supervisor2", roles.SUPERVISOR)
    claim = claim_in(ClaimStatus.UNDER_REVIEW, amount_minor=50_000)
    _ask_second_approval(claim, supervisor)
    # when: they read their notifications in French
    client.force_login(other)
    client.cookies["django_language"] = "fr"
    body = client.get(PAGE).content.decode()
    # then: the sentence and the amount the French way, not the English text as stored
    assert f"sur la réclamation {claim.reference} attend votre seconde approbation" in body
    assert "500,00" in body
    assert "awaits your second approval" not in body


# --- deadlines about to pass, or passed ---------------------------------------------------------


def test_sla_breach_notifies_the_holder_once(agent):
    # given: a claim of the agent's whose decision target has passed
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(
        assignee=agent, decision_due=timezone.now() - dt.timedelta(hours=1)
    )
    # when: the beat job runs twice
    sla_breaches_record()
    sla_breaches_record()
    # then
    note = _mine(agent).get()
    assert note.kind == NotificationKind.SLA_BREACHED and note.due_at is not None
    assert "Decision target" in note.text and claim.reference in note.text


def test_deadline_notifications_are_shown_in_the_readers_language(client, agent):
    # given: one deadline passed and one about to pass on the agent's claims
    passed = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=passed.pk).update(
        assignee=agent, decision_due=timezone.now() - dt.timedelta(hours=1)
    )
    soon = claim_in(ClaimStatus.AWAITING_SELLER)
    Claim.objects.filter(pk=soon.pk).update(
        assignee=agent, seller_respond_by=timezone.now() + dt.timedelta(hours=3)
    )
    sla_breaches_record()
    sla_at_risk_notify()
    # when: the agent reads them in German
    client.force_login(agent)
    client.cookies["django_language"] = "de"
    body = client.get(PAGE).content.decode()
    # then
    assert f"„Entscheidungsziel“ der Schadensmeldung {passed.reference} ist verstrichen." in body
    assert f"„Antwort des Verkäufers“ der Schadensmeldung {soon.reference} läuft bald ab." in body
    assert "has passed" not in body and "is due soon" not in body


def test_sla_breach_of_an_unassigned_claim_notifies_nobody(db):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(decision_due=timezone.now() - dt.timedelta(hours=1))
    assert sla_breaches_record() == 1
    assert not Notification.objects.exists()


def test_sla_about_to_breach_notifies_the_holder_once_per_deadline(agent):
    # given: the seller's deadline is 3 hours away (at risk within 24 hours)
    claim = claim_in(ClaimStatus.AWAITING_SELLER)
    soon = timezone.now() + dt.timedelta(hours=3)
    Claim.objects.filter(pk=claim.pk).update(assignee=agent, seller_respond_by=soon)
    far = claim_in(ClaimStatus.AWAITING_SELLER)
    Claim.objects.filter(pk=far.pk).update(
        assignee=agent, seller_respond_by=timezone.now() + dt.timedelta(days=5)
    )
    # when: the job runs twice
    sla_at_risk_notify()
    sla_at_risk_notify()
    # then: one warning, for the close deadline only
    note = _mine(agent).get()
    assert note.kind == NotificationKind.SLA_AT_RISK and note.claim_id == claim.pk
    assert note.due_at == soon
    # when: the deadline is pushed out and comes close again, it warns again
    later = soon + dt.timedelta(hours=5)
    Claim.objects.filter(pk=claim.pk).update(seller_respond_by=later)
    sla_at_risk_notify()
    assert _mine(agent, NotificationKind.SLA_AT_RISK).count() == 2


def test_beat_job_records_breaches_and_warns(agent):
    from backoffice.tasks import sla_breaches_record as task

    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Claim.objects.filter(pk=claim.pk).update(
        assignee=agent, decision_due=timezone.now() + dt.timedelta(days=2)
    )
    task.apply()
    assert _mine(agent, NotificationKind.SLA_AT_RISK).exists()


# --- an answer on my claim ---------------------------------------------------------------------


def test_seller_answer_notifies_the_holder(agent):
    from sellers.models import ResponseDecision
    from sellers.services.responses import seller_response_submit
    from tests.sellers.helpers import awaiting
    from tests.sellers.test_responses import _link

    claim, path = awaiting()
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    seller_response_submit(link=_link(path), decision=ResponseDecision.ACCEPT)
    note = _mine(agent).get()
    assert note.kind == NotificationKind.ANSWERED
    assert note.text == f"The seller answered on claim {claim.reference}."


def test_customer_answer_notifies_the_holder(agent):
    from portal.services import claim_answer_info

    claim = claim_in(ClaimStatus.NEEDS_INFO)
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    claim.refresh_from_db()
    claim_answer_info(claim=claim, customer=claim.customer, message="Here it is.", uploads=[])
    assert _mine(agent).get().text == f"The customer answered on claim {claim.reference}."


def test_an_answer_notification_is_shown_in_the_readers_language(client, agent):
    from portal.services import claim_answer_info

    claim = claim_in(ClaimStatus.NEEDS_INFO)
    Claim.objects.filter(pk=claim.pk).update(assignee=agent)
    claim.refresh_from_db()
    claim_answer_info(claim=claim, customer=claim.customer, message="Aquí está.", uploads=[])
    client.force_login(agent)
    client.cookies["django_language"] = "es"
    body = client.get(PAGE).content.decode()
    assert f"El cliente respondió en la reclamación {claim.reference}." in body


def test_a_row_written_before_its_kind_kept_parameters_shows_its_english_text(client, agent):
    # given: rows as stored before the kinds kept parameters (English text, no params)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    for kind, text in [
        (NotificationKind.APPROVAL, "Approval of $5.00 on claim X awaits your second approval."),
        (NotificationKind.SLA_BREACHED, "Decision target on claim X has passed."),
        (NotificationKind.ANSWERED, "The seller answered on claim X."),
    ]:
        Notification.objects.create(recipient=agent, kind=kind, claim=claim, text=text)
    # when
    client.force_login(agent)
    client.cookies["django_language"] = "fr"
    body = client.get(PAGE).content.decode()
    # then: each is still shown, as written
    assert "Approval of $5.00 on claim X awaits your second approval." in body
    assert "Decision target on claim X has passed." in body
    assert "The seller answered on claim X." in body


def test_answer_on_an_unassigned_claim_notifies_nobody(db):
    from portal.services import claim_answer_info

    claim = claim_in(ClaimStatus.NEEDS_INFO)
    claim_answer_info(claim=claim, customer=claim.customer, message="Here it is.", uploads=[])
    assert not Notification.objects.exists()


# --- the page, the count, every role -----------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_notifications_page_permission_matrix(client, everyone, role):
    # given: every staff member has one notification (a kind shown by its stored text)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    for user in everyone.values():
        if user is not None:
            Notification.objects.create(
                recipient=user, kind=NotificationKind.ANSWERED, claim=claim, text=f"for {user}"
            )
    if everyone[role] is not None:
        client.force_login(everyone[role])
    # when
    response = client.get(PAGE)
    # then: claim staff see their own only
    if role in ("agent", "analyst", "supervisor"):
        assert response.status_code == 200
        body = response.content.decode()
        assert f"for {role}" in body
        assert [n.recipient for n in response.context["unread"]] == [everyone[role]]
    elif role == "outsider":
        assert response.status_code == 403
    else:
        assert response.status_code == 302
        assert reverse("backoffice:login") in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_mark_all_read_permission_matrix(client, everyone, role):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    users = [u for u in everyone.values() if u is not None]
    for user in users:
        Notification.objects.create(
            recipient=user, kind=NotificationKind.ASSIGNED, claim=claim, text="x"
        )
    if everyone[role] is not None:
        client.force_login(everyone[role])
    response = client.post(reverse("backoffice:notifications-read"))
    read = set(Notification.objects.exclude(read_at=None).values_list("recipient", flat=True))
    if role in ("agent", "analyst", "supervisor"):
        assert response.status_code == 302 and read == {everyone[role].pk}
    else:
        assert response.status_code in (302, 403) and read == set()


def test_mark_all_read_answers_get_with_405(client, agent):
    client.force_login(agent)
    assert client.get(reverse("backoffice:notifications-read")).status_code == 405


def test_header_count_stops_at_99_plus(client, agent):
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Notification.objects.bulk_create(
        Notification(recipient=agent, kind=NotificationKind.ASSIGNED, claim=claim, text="x")
        for _ in range(120)
    )
    client.force_login(agent)
    body = client.get(PAGE).content.decode()
    assert '<span class="count">99+' in body


def test_notification_count_query_is_pinned(client, agent, django_assert_num_queries):
    # given: the page with 1 notification, then with 30
    claim = claim_in(ClaimStatus.UNDER_REVIEW)

    def add(n):
        Notification.objects.bulk_create(
            Notification(recipient=agent, kind=NotificationKind.ASSIGNED, claim=claim, text="x")
            for _ in range(n)
        )

    add(1)
    client.force_login(agent)
    client.get(PAGE)
    # the user with its profile, its permissions, the unread and the read notifications (with
    # their claims), the header's count
    with django_assert_num_queries(5):
        client.get(PAGE)
    add(29)
    with django_assert_num_queries(5):
        client.get(PAGE)


def test_header_count_is_one_capped_query(agent, django_assert_num_queries):
    from backoffice.notifications import unread_count

    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    Notification.objects.create(
        recipient=agent, kind=NotificationKind.ASSIGNED, claim=claim, text="x"
    )
    with django_assert_num_queries(1) as captured:
        assert unread_count(agent) == 1
    assert "LIMIT 100" in captured.captured_queries[0]["sql"]
