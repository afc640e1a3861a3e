"""The admin: every changelist loads for the roles that may see it, without N+1 queries, and
its actions go through the same services as everything else."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims import lifecycle
from claims.actors import Actor
from claims.models import Claim, ClaimEvent, ClaimStatus
from claims.services import claim_transition
from tests.factories import claim_in, claim_new

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "claims_claim",
    "claims_claimevent",
    "claims_evidence",
    "claims_lossitem",
    "claims_region",
    "claims_holiday",
    "claims_outbox",
    "claims_staffprofile",
    "sellers_seller",
    "sellers_insurancecertificate",
    "marketplace_customer",
    "marketplace_order",
    "marketplace_orderline",
    "marketplace_product",
    "fraud_fraudreview",
    "claims_accesslink",
    "safety_regulator",
    "safety_incidentfacts",
    "safety_safetyalert",
    "safety_recall",
]
SAFETY_ADMIN = {"safety_regulator", "safety_incidentfacts", "safety_recall"}
# Who may open which changelist (200), and who is refused (403). Anonymous users are sent to
# the login page.
VISIBLE = {
    "agent": {
        c
        for c in CHANGELISTS
        if c
        not in {"claims_outbox", "claims_staffprofile", "fraud_fraudreview", "claims_accesslink"}
        | SAFETY_ADMIN
    },
    "analyst": {
        c
        for c in CHANGELISTS
        if c not in {"claims_outbox", "claims_staffprofile", "claims_accesslink"} | SAFETY_ADMIN
    },
    "supervisor": set(CHANGELISTS),
    "outsider": set(),
}


@pytest.mark.parametrize("role", ["agent", "analyst", "supervisor", "outsider"])
@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_changelist_permission_matrix(client, cast, role, changelist):
    client.force_login(cast[role])
    response = client.get(reverse(f"admin:{changelist}_changelist"))
    assert response.status_code == (200 if changelist in VISIBLE[role] else 403)


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_changelist_sends_anonymous_users_to_login(client, changelist):
    response = client.get(reverse(f"admin:{changelist}_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("changelist", CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_rows(client, supervisor, changelist):
    client.force_login(supervisor)
    url = reverse(f"admin:{changelist}_changelist")
    claim_in(ClaimStatus.UNDER_REVIEW)
    one = _queries(client, url)
    for _ in range(20):
        claim = claim_in(ClaimStatus.UNDER_REVIEW)
        if changelist.startswith("safety_"):
            from safety.services import incident_facts_record, safety_alerts_raise

            incident_facts_record(claim=claim, facts={"hazard": "fire_smoke"})
            safety_alerts_raise()
    assert _queries(client, url) == one


def test_claim_changelist_query_count_is_pinned(client, supervisor, django_assert_num_queries):
    client.force_login(supervisor)
    for _ in range(20):
        claim_in(ClaimStatus.AWAITING_SELLER)
    # the user with its staff profile (time zone; the session comes from the cache), its
    # permissions (own and group, one query), region filter choices, result count, the page
    # itself (one join for region, customer, seller, assignee), date hierarchy bounds and days.
    with django_assert_num_queries(7):
        client.get(reverse("admin:claims_claim_changelist"))


def test_claim_change_page_shows_timeline_and_query_count_is_bounded(client, supervisor):
    client.force_login(supervisor)
    claim = claim_in(ClaimStatus.UNDER_REVIEW)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    client.get(url)  # warm the content-type cache
    first = _queries(client, url)
    for step in ["needs_info", "under_review", "needs_info", "under_review"]:
        claim_transition(
            claim=claim,
            to=step,
            actor=Actor.system(),
            via=min(lifecycle.owners(claim.status, step)),
        )
    response = client.get(url)
    assert response.status_code == 200
    assert b"Work on this claim in the staff pages" in response.content
    assert _queries(client, url) == first


def test_the_staff_page_offers_only_legal_generic_moves(client, agent):
    # The admin's "Change status…" moved to the staff workspace (issue 13): the same offer.
    client.force_login(agent)
    claim = claim_in(ClaimStatus.DENIED)
    page = client.get(reverse("backoffice:claim", args=[claim.pk])).content.decode()
    offered = {
        to
        for to in ClaimStatus.values
        if reverse("backoffice:claim-move", args=[claim.pk, to]) in page
    }
    # only generic moves: the appeal is the customer's, from their own page
    assert offered == {"closed"}


def test_a_staff_move_moves_the_claim_and_writes_the_reason(client, agent):
    client.force_login(agent)
    claim = claim_in(ClaimStatus.SCREENING)
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "under_review"]),
        {"expected_status": "screening", "reason": "Looks complete"},
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "under_review"
    event = claim.events.last()
    assert (event.actor, event.reason) == (agent, "Looks complete")


def test_a_staff_move_refuses_an_illegal_move_without_changing_anything(client, agent):
    client.force_login(agent)
    claim = claim_in(ClaimStatus.SCREENING)
    events = ClaimEvent.objects.count()
    response = client.post(
        reverse("backoffice:claim-move", args=[claim.pk, "paid"]),
        {"expected_status": "screening", "reason": ""},
        follow=True,
    )
    assert "cannot move it to Paid" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == "screening" and ClaimEvent.objects.count() == events


def test_the_admin_holds_no_workflow(client, supervisor):
    # given: the admin is for inspecting and correcting data (issue 13)
    client.force_login(supervisor)
    claim = claim_in(ClaimStatus.SCREENING)
    # when
    change = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    changelist = client.get(reverse("admin:claims_claim_changelist")).content.decode()
    # then: no status picker, no bulk moves, no overruling or seller links; a link to /staff/
    assert "Change status" not in change and "/transition/" not in change
    assert "Overrule" not in change and "seller-link" not in change
    assert reverse("backoffice:claim", args=[claim.pk]) in change
    assert "move_to_" not in changelist
    assert reverse("backoffice:queue") in changelist  # the header's link to the staff pages
    assert client.get(f"/admin/claims/claim/{claim.pk}/transition/").status_code in (302, 404)


def test_assignment_is_read_only_in_the_admin(client, supervisor, agent):
    # A change of assignee is a workflow step with its own event: the staff pages make it.
    client.force_login(supervisor)
    claim = claim_in(ClaimStatus.SCREENING)
    form = (
        client.get(reverse("admin:claims_claim_change", args=[claim.pk])).context["adminform"].form
    )
    assert "assignee" not in form.fields


def test_admin_cannot_add_or_delete_claims_nor_edit_events(client, supervisor):
    client.force_login(supervisor)
    claim = claim_new()
    assert client.get(reverse("admin:claims_claim_add")).status_code == 403
    assert client.get(reverse("admin:claims_claim_delete", args=[claim.pk])).status_code == 403
    event = claim.events.get()
    response = client.post(
        reverse("admin:claims_claimevent_change", args=[event.pk]), {"reason": "rewritten"}
    )
    assert response.status_code in (302, 403)
    assert ClaimEvent.objects.get(pk=event.pk).reason == ""


def test_status_is_read_only_in_the_change_form(client, supervisor):
    client.force_login(supervisor)
    claim = claim_in(ClaimStatus.SCREENING)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    form = client.get(url).context["adminform"].form
    assert "status" not in form.fields
    data = {f: form.initial.get(f) or "" for f in form.fields}
    data.update(
        {
            "status": "paid",
            "description": "corrected",
            "incident_kind": "both",
            "people_injured": 1,
            "incident_date": claim.incident_date.isoformat(),
        }
    )
    for prefix in ("losses", "evidence", "events"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data["losses-TOTAL_FORMS"] = data["losses-INITIAL_FORMS"] = 0
    client.post(url, data)
    claim.refresh_from_db()
    assert claim.status == "screening"


def test_region_policy_changes_are_audited(client, supervisor):
    from claims.models import Region

    client.force_login(supervisor)
    us = Region.objects.get(code="US")
    us.threshold_minor = 120_000
    us.save()
    assert us.history.first().threshold_minor == 120_000
    assert client.get(reverse("admin:claims_region_history", args=[us.pk])).status_code == 200


def test_evidence_download_is_permission_checked(client, cast):
    from claims.actors import Actor
    from claims.services import evidence_add
    from tests.claims.test_evidence import png_bytes

    claim = claim_new()
    evidence = evidence_add(
        claim=claim,
        data=png_bytes(),
        filename="a.png",
        kind="other",
        actor=Actor.customer(claim.customer),
    )
    url = reverse("claims:evidence-download", args=[evidence.pk])
    assert client.get(url).status_code == 302  # anonymous: to login
    client.force_login(cast["outsider"])
    assert client.get(url).status_code == 403
    client.force_login(cast["agent"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.post(url).status_code == 405
    assert Claim.objects.count() == 1


def _change_form_data(client, url) -> dict:
    context = client.get(url).context
    form = context["adminform"].form
    data = {f: form.initial.get(f) for f in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["incident_date"] = form.initial["incident_date"].isoformat()
    # Every inline is read-only: post empty management forms for each of them.
    for inline in context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def test_admin_correction_is_kept_in_field_history(client, supervisor):
    # given
    client.force_login(supervisor)
    claim = claim_in(ClaimStatus.SCREENING)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = _change_form_data(client, url)
    # when
    data["description"] = "Corrected: the heater's cord melted."
    response = client.post(url, data)
    # then
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.description == "Corrected: the heater's cord melted."
    latest = claim.history.first()
    assert latest.history_user == supervisor
    assert latest.description == claim.description


def test_assignee_cannot_be_changed_in_the_admin(client, supervisor, agent):
    # Assignment is work with its own event: the staff pages' "Assign" (issue 13), not the admin.
    client.force_login(supervisor)
    claim = claim_in(ClaimStatus.SCREENING)
    url = reverse("admin:claims_claim_change", args=[claim.pk])
    data = _change_form_data(client, url)
    data["assignee"] = agent.pk
    assert client.post(url, data).status_code == 302
    claim.refresh_from_db()
    assert claim.assignee is None
    assert not claim.events.filter(kind="assignment").exists()


def test_admin_evidence_links_open_the_file(client, supervisor):
    # given: issue 19 found the admin's evidence links pointing at a URL that 404s
    import re

    from claims.actors import Actor
    from claims.services import evidence_add
    from tests.claims.test_evidence import png_bytes

    claim = claim_new()
    evidence = evidence_add(
        claim=claim,
        data=png_bytes(),
        filename="a.png",
        kind="other",
        actor=Actor.customer(claim.customer),
    )
    client.force_login(supervisor)
    pages = [
        reverse("admin:claims_evidence_change", args=[evidence.pk]),
        reverse("admin:claims_claim_change", args=[claim.pk]),
    ]
    for page in pages:
        # when: every link on the page that names the file is followed
        html = client.get(page).content.decode()
        links = re.findall(r'href="([^"]+)"[^>]*>a\.png<', html)
        # then
        assert links, page
        for link in links:
            response = client.get(link)
            assert response.status_code == 200, (page, link)
            assert response["Content-Type"] == "image/png"


@pytest.mark.parametrize(("role", "allowed"), [("supervisor", True), ("agent", False)])
def test_supervisors_revoke_links_as_documented(client, cast, role, allowed):
    # given: issue 19 found supervisors refused (403) although the README says they revoke
    import datetime as dt

    from django.core.cache import cache

    from claims.links import LinkRefused, link_issue, link_resolve
    from claims.models import AccessLink, LinkPurpose

    cache.clear()
    claim = claim_new()
    link, token = link_issue(
        purpose=LinkPurpose.SELLER_RESPONSE,
        email="s@seller.test",
        expires_in=dt.timedelta(days=5),
        claim=claim,
        seller=claim.order_line.seller,
    )
    client.force_login(cast[role])
    # when
    response = client.post(
        reverse("admin:claims_accesslink_changelist"),
        {"action": "revoke", "_selected_action": [link.pk]},
    )
    # then
    link.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and link.revoked_at and link.revoked_by == cast[role]
        with pytest.raises(LinkRefused):
            link_resolve(token=token, purpose=LinkPurpose.SELLER_RESPONSE, claim=claim)
    else:
        assert response.status_code == 403 and link.revoked_at is None
    assert AccessLink.objects.count() == 1


@pytest.mark.parametrize("value", ["1e999999", "a\x00b", "not-a-number"])
def test_admin_autocomplete_fields_refuse_a_value_that_is_no_key(admin_client, value):
    from claims.models import StaffProfile

    # given: issue 19's generated walk found a 500 (ValueError) re-rendering the form
    before = StaffProfile.objects.count()
    # when: an autocomplete field gets a value that is no key
    response = admin_client.post(reverse("admin:claims_staffprofile_add"), {"user": value})
    # then: the form again, with the errors marked, and nothing saved
    assert response.status_code == 200
    assert "Please correct the error" in response.content.decode()
    assert StaffProfile.objects.count() == before


def test_the_admin_names_and_links_a_medical_bill_only_for_those_who_may_open_it(
    client, agent, supervisor
):
    # given: a medical bill on a claim (found on the demo: the admin listed its file name to an
    # agent without the medical-records permission, whom the staff pages do not show it)
    import re

    from claims.actors import Actor
    from claims.services import evidence_add
    from tests.claims.test_evidence import png_bytes

    claim = claim_new()
    bill = evidence_add(
        claim=claim,
        data=png_bytes(),
        filename="er-invoice-jane.png",
        kind="medical_bill",
        actor=Actor.customer(claim.customer),
    )
    download = reverse("claims:evidence-download", args=[bill.pk])
    pages = [
        reverse("admin:claims_evidence_changelist") + "?kind__exact=medical_bill",
        reverse("admin:claims_evidence_change", args=[bill.pk]),
        reverse("admin:claims_claim_change", args=[claim.pk]),
        reverse("admin:claims_claimevent_changelist") + "?q=er-invoice",
        reverse(
            "admin:claims_claimevent_change",
            args=[claim.events.get(kind="evidence").pk],
        ),
    ]
    assert not agent.has_perm("claims.view_medical_evidence")
    client.force_login(agent)
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        # then: no name, no link to the file
        shown = re.sub(r'(value|href)="[^"]*q=er-invoice[^"]*"|value="er-invoice"', "", html)
        assert "er-invoice" not in shown, page
        assert f'href="{download}"' not in html, page
    listing = client.get(pages[0]).content.decode()
    assert "Medical bill (restricted)" in listing
    # when: a supervisor, who may open it, looks
    client.force_login(supervisor)
    for page in pages[:3]:
        html = client.get(page).content.decode()
        assert "er-invoice-jane.png" in html, page
        assert page == pages[0] or f'href="{download}"' in html, page
