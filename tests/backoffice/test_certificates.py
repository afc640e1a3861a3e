"""The staff queue of insurance certificates awaiting verification, and verifying one."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from sellers.models import CertificateStatus, CertificateVerification, VerificationOutcome
from sellers.services.certificates import certificate_valid_for
from tests.factories import CertificateFactory, certificate_form_data
from tests.sellers.helpers import run_outbox

pytestmark = pytest.mark.django_db

ROLES = ["agent", "analyst", "supervisor", "outsider", "customer", "seller", "anonymous"]
STAFF = {"agent", "analyst", "supervisor", "outsider"}
VERIFIERS = {"agent", "supervisor"}

CONFIRMED = certificate_form_data()


@pytest.fixture
def certificate(db):
    return CertificateFactory(policy_number="GL-00001")


def _login(client, everyone, role):
    if everyone[role] is not None:
        client.force_login(everyone[role])


def _pages(certificate):
    return {
        "certificates": reverse("backoffice:certificates"),
        "certificate": reverse("backoffice:certificate", args=[certificate.pk]),
        "certificate-document": reverse("backoffice:certificate-document", args=[certificate.pk]),
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", ["certificates", "certificate", "certificate-document"])
def test_page_permission_matrix(client, everyone, certificate, role, page):
    # given
    _login(client, everyone, role)
    # when
    response = client.get(_pages(certificate)[page])
    # then
    if role in VERIFIERS:
        assert response.status_code == 200
    elif role in STAFF:
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and reverse("backoffice:login") in response["Location"]


ACTIONS = {
    "certificate-verify": CONFIRMED,
    "certificate-refuse": {"reason": "The scan is unreadable."},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_permission_matrix(client, everyone, certificate, role, action):
    # given
    _login(client, everyone, role)
    url = reverse(f"backoffice:{action}", args=[certificate.pk])
    # when
    response = client.post(url, ACTIONS[action])
    # then: only verifiers change anything
    certificate.refresh_from_db()
    if role in VERIFIERS:
        assert response.status_code == 302
        assert certificate.status != CertificateStatus.PENDING
        assert CertificateVerification.objects.get().actor == everyone[role]
    else:
        assert response.status_code == (403 if role in STAFF else 302)
        assert certificate.status == CertificateStatus.PENDING
        assert not CertificateVerification.objects.exists()


@pytest.mark.parametrize("action", list(ACTIONS))
def test_get_on_post_only_actions_is_405(client, supervisor, certificate, action):
    client.force_login(supervisor)
    assert client.get(reverse(f"backoffice:{action}", args=[certificate.pk])).status_code == 405


def test_queue_lists_awaiting_certificates_oldest_first_with_their_document(client, agent):
    # given: three awaiting (submitted at different times), one verified, one refused
    now = timezone.now()
    newest = CertificateFactory(created_at=now - dt.timedelta(hours=1), policy_number="GL-NEW")
    oldest = CertificateFactory(created_at=now - dt.timedelta(days=3), policy_number="GL-OLD")
    middle = CertificateFactory(created_at=now - dt.timedelta(days=1), policy_number="GL-MID")
    CertificateFactory(verified=True, policy_number="GL-DONE")
    CertificateFactory(status=CertificateStatus.REJECTED, policy_number="GL-REFUSED")
    client.force_login(agent)
    # when
    body = client.get(reverse("backoffice:certificates")).content.decode()
    # then
    assert "GL-DONE" not in body and "GL-REFUSED" not in body
    assert body.index("GL-OLD") < body.index("GL-MID") < body.index("GL-NEW")
    for certificate in (oldest, middle, newest):
        assert reverse("backoffice:certificate-document", args=[certificate.pk]) in body
        assert reverse("backoffice:certificate", args=[certificate.pk]) in body


def test_queue_pages_with_a_keyset_cursor(client, agent, settings):
    from sellers import selectors

    now = timezone.now()
    made = [
        CertificateFactory(created_at=now - dt.timedelta(minutes=60 - i), policy_number=f"GL-P{i}")
        for i in range(selectors.CERTIFICATE_PAGE_SIZE + 2)
    ]
    client.force_login(agent)
    first = client.get(reverse("backoffice:certificates"))
    assert "GL-P0<" in first.content.decode() or "GL-P0 " in first.content.decode()
    cursor = first.context["page"].next_cursor
    assert cursor
    second = client.get(reverse("backoffice:certificates"), {"after": cursor})
    rows = second.context["page"].rows
    assert [c.pk for c in rows] == [c.pk for c in made[selectors.CERTIFICATE_PAGE_SIZE :]]
    assert not second.context["page"].next_cursor
    bad = client.get(reverse("backoffice:certificates"), {"after": "nonsense"})
    assert bad.status_code == 200 and "no longer valid" in bad.content.decode()


@pytest.mark.parametrize(
    "after",
    [
        "nonsense",
        "2026-01-01T00:00:00~5",  # a time without its zone
        "2026-01-01T00:00:00+00:00~0",
        "2026-01-01T00:00:00+00:00~99999999999999999999",  # beyond a bigint
    ],
)
def test_queue_reads_its_cursor_as_every_keyset_list_does(client, agent, after):
    # The certificate queue pages through the staff pages' one keyset engine
    # (backoffice.selectors.keyset_page): a cursor it cannot use shows the first page, never
    # a database error.
    certificate = CertificateFactory()
    client.force_login(agent)
    response = client.get(reverse("backoffice:certificates"), {"after": after})
    assert response.status_code == 200 and "no longer valid" in response.content.decode()
    assert response.context["page"].rows == [certificate]


def test_queue_query_count_is_the_same_for_1_and_20_rows(client, agent, django_assert_num_queries):
    from tests.factories import gross_imported

    client.force_login(agent)
    url = reverse("backoffice:certificates")
    first = CertificateFactory()
    gross_imported(first.seller, 2_000_000)
    client.get(url)  # warm the session and permission caches
    # the user, the permissions, the page, the header's unread notifications
    with django_assert_num_queries(4) as one:
        assert client.get(url).context["page"].rows == [first]
    for _ in range(19):
        gross_imported(CertificateFactory().seller, 2_000_000)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(url).context["page"].rows) == 20


def test_verify_page_starts_from_what_the_seller_typed(client, agent, certificate):
    client.force_login(agent)
    body = client.get(reverse("backoffice:certificate", args=[certificate.pk])).content.decode()
    assert 'value="1000000.00"' in body and 'value="5000.00"' in body
    assert 'value="30"' in body and 'name="cancellation_notice_days"' in body
    assert reverse("backoffice:certificate-document", args=[certificate.pk]) in body


def test_verify_through_the_page_checks_the_confirmed_values(client, supervisor, certificate):
    # given: the document shows 10 days' notice of cancellation, not the 30 the seller typed
    client.force_login(supervisor)
    url = reverse("backoffice:certificate-verify", args=[certificate.pk])
    # when
    dates = {
        "effective_date": certificate.effective_date.isoformat(),
        "expiry_date": certificate.expiry_date.isoformat(),
    }
    response = client.post(
        url, {**CONFIRMED, **dates, "cancellation_notice_days": "10"}, follow=True
    )
    # then: refused on what staff confirmed, the correction recorded, the seller told why
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REJECTED
    assert "notice of cancellation" in response.content.decode()
    verification = CertificateVerification.objects.get()
    assert verification.outcome == VerificationOutcome.FAILED
    assert verification.changes == {"cancellation_notice_days": [30, 10]}
    assert verification.actor == supervisor
    run_outbox("sellers.notify_certificate")
    assert mail.outbox[-1].to == [certificate.seller.email]
    assert "notice of cancellation" in mail.outbox[-1].body


def test_verify_through_the_page_makes_it_count(client, agent, certificate):
    client.force_login(agent)
    assert certificate_valid_for(seller=certificate.seller, today=timezone.localdate()) is None
    response = client.post(
        reverse("backoffice:certificate-verify", args=[certificate.pk]), CONFIRMED
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "backoffice:certificates"
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID and certificate.verified_by == agent
    assert certificate_valid_for(seller=certificate.seller, today=timezone.localdate())


def test_verify_with_a_bad_value_shows_the_errors_and_saves_nothing(client, agent, certificate):
    client.force_login(agent)
    response = client.post(
        reverse("backoffice:certificate-verify", args=[certificate.pk]),
        {**CONFIRMED, "per_occurrence": "1.234"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error-summary"' in body and "Per-occurrence limit" in body
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING


def test_refuse_without_a_reason_is_refused(client, agent, certificate):
    client.force_login(agent)
    response = client.post(reverse("backoffice:certificate-refuse", args=[certificate.pk]), {})
    assert response.status_code == 400 and "reason for refusing" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING


def test_refuse_emails_the_seller_the_reason(client, agent, certificate):
    client.force_login(agent)
    client.post(
        reverse("backoffice:certificate-refuse", args=[certificate.pk]),
        {"reason": "The document names another business."},
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REJECTED
    run_outbox("sellers.notify_certificate")
    assert "The document names another business." in mail.outbox[-1].body


def test_a_decided_certificate_cannot_be_decided_again(client, agent, certificate):
    client.force_login(agent)
    client.post(reverse("backoffice:certificate-verify", args=[certificate.pk]), CONFIRMED)
    response = client.post(
        reverse("backoffice:certificate-refuse", args=[certificate.pk]),
        {"reason": "Second thoughts."},
        follow=True,
    )
    assert "already verified or refused" in response.content.decode()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID
    assert CertificateVerification.objects.count() == 1


def test_document_is_served_safely(client, agent, certificate):
    client.force_login(agent)
    response = client.get(reverse("backoffice:certificate-document", args=[certificate.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- need-to-know (issue 16): a verifier of the UK only against a US seller's certificate -----


@pytest.fixture
def uk_agent(db):
    from claims import roles
    from tests.conftest import _staff

    return _staff("agent-gb", roles.AGENT, regions=["GB"])


def _seller_to_uk(certificate):
    from claims.models import Region
    from sellers.models import Seller

    Seller.objects.filter(pk=certificate.seller_id).update(region=Region.objects.get(code="GB"))


@pytest.mark.parametrize("page", ["certificate", "certificate-document"])
def test_region_limited_verifier_cannot_open_another_regions_certificate(
    client, uk_agent, certificate, page
):
    client.force_login(uk_agent)
    assert client.get(_pages(certificate)[page]).status_code == 404
    _seller_to_uk(certificate)
    assert client.get(_pages(certificate)[page]).status_code == 200


@pytest.mark.parametrize("action", list(ACTIONS))
def test_region_limited_verifier_cannot_act_on_another_regions_certificate(
    client, uk_agent, certificate, action
):
    client.force_login(uk_agent)
    url = reverse(f"backoffice:{action}", args=[certificate.pk])
    assert client.post(url, ACTIONS[action]).status_code == 404
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING
    assert not CertificateVerification.objects.exists()


def test_region_limited_verifier_lists_only_their_regions_certificates(
    client, uk_agent, certificate
):
    client.force_login(uk_agent)
    assert "GL-00001" not in client.get(reverse("backoffice:certificates")).content.decode()
    _seller_to_uk(certificate)
    assert "GL-00001" in client.get(reverse("backoffice:certificates")).content.decode()
