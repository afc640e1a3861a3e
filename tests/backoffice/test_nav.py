"""The staff header: the admin link only for whom the admin shows something, and the nav
marking the area of the page being shown (one area, its own)."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import get_resolver, reverse

from backoffice.templatetags.backoffice import staff_area
from tests.conftest import _staff
from tests.safety.helpers import safety_officer

pytestmark = pytest.mark.django_db

ADMIN_LINK = f'href="{reverse("admin:index")}"'
NOTHING_IN_ADMIN = "permission to view or edit anything"


def _with_only(username: str, permission: str):
    """A staff member whose only permission opens one staff page and no model in the admin."""
    user = _staff(username, None)
    app_label, codename = permission.split(".")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return user


@pytest.mark.parametrize(
    ("permission", "page"),
    [
        ("api.manage_apiclient", "backoffice:api-clients"),
        ("privacy.export_customer_data", "privacy:staff-export"),
    ],
)
def test_the_admin_link_is_not_offered_to_whom_the_admin_shows_nothing(client, permission, page):
    # given: a staff member who may use one staff page but no model of the admin
    client.force_login(_with_only("clerk", permission))
    # when
    staff_page = client.get(reverse(page))
    admin_index = client.get(reverse("admin:index")).content.decode()
    # then: the admin would show them nothing, so the staff header does not send them there
    assert staff_page.status_code == 200
    assert NOTHING_IN_ADMIN in admin_index.replace("\u2019", "'").replace("&#x27;", "'")
    assert ADMIN_LINK not in staff_page.content.decode()


def test_the_admin_link_is_offered_to_each_role_the_admin_shows_models(client, cast):
    for role, user in {**cast, "safety": safety_officer("safety")}.items():
        if role == "outsider":
            continue  # no staff page opens for them
        client.force_login(user)
        admin_index = client.get(reverse("admin:index")).content.decode()
        assert NOTHING_IN_ADMIN not in admin_index.replace("\u2019", "'"), role
        assert ADMIN_LINK in client.get(reverse("backoffice:queue")).content.decode(), role


# Every staff URL name -> the nav area its pages mark ("" for none: the page has no nav item,
# like the header's notifications or signing in).
AREA_OF = {
    "login": "",
    "logout": "",
    "notifications": "",
    "notifications-read": "",
    "queue": "claims",
    "queue-export": "claims",
    "queue-bulk": "claims",
    "take-next": "claims",
    "suggest-sellers": "claims",
    "suggest-products": "claims",
    "search": "claims",
    "claim": "claims",
    "claim-move": "claims",
    "claim-note": "claims",
    "claim-message": "claims",
    "claim-assign": "claims",
    "claim-tag": "claims",
    "claim-evidence-add": "claims",
    "claim-evidence-share": "claims",
    "claim-assign-to-me": "claims",
    "claim-seller-link": "claims",
    "medical-access": "medical-access",
    "dashboard": "dashboard",
    "decisions": "decisions",
    "decision-approval": "decisions",
    "qa-sample": "decisions",
    "money": "money",
    "money-reconciliation": "money",
    "payout": "money",
    "payout-resend": "money",
    "payout-cancel": "money",
    "payout-return": "money",
    "payee-change-request": "money",
    "payee-change": "money",
    "sellers": "sellers",
    "recovery": "sellers",
    "certificates": "sellers",
    "certificate": "sellers",
    "certificate-document": "sellers",
    "certificate-verify": "sellers",
    "certificate-refuse": "sellers",
    "api-clients": "api",
    "api-key-issue": "api",
    "api-key-revoke": "api",
    "demo-webhooks": "api",
}


class _Match:
    namespace = "backoffice"

    def __init__(self, url_name):
        self.url_name = url_name


class _Request:
    def __init__(self, url_name):
        self.resolver_match = _Match(url_name)


def _backoffice_url_names() -> set[str]:
    resolver = get_resolver()
    _prefix, namespaced = resolver.namespace_dict["backoffice"]
    return {name for name in namespaced.reverse_dict if isinstance(name, str)}


def test_every_staff_page_marks_its_own_area():
    names = _backoffice_url_names()
    for name in names:
        if name.startswith(("safety", "fraud")):
            expected = name.split("-")[0]
        else:
            assert name in AREA_OF, f"{name}: say which area its pages belong to"
            expected = AREA_OF[name]
        assert staff_area(_Request(name)) == expected, name


def _current(html: str) -> list[str]:
    """The nav items marked as the current page's area."""
    nav = html.split('class="staff-nav"')[1].split("</ul>")[0]
    return re.findall(r'aria-current="page">([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("page", "current"),
    [
        ("backoffice:queue", ["Claims"]),
        ("backoffice:medical-access", ["Medical access log"]),
        ("backoffice:notifications", []),
        ("backoffice:decisions", ["Decisions"]),
        ("backoffice:money", ["Money"]),
        ("backoffice:sellers", ["Sellers"]),
        ("backoffice:fraud-queue", ["Fraud"]),
        ("backoffice:safety", ["Safety"]),
        ("backoffice:dashboard", ["Dashboard"]),
        ("backoffice:api-clients", ["API clients"]),
        ("privacy:staff-export", ["Privacy"]),
    ],
)
def test_the_nav_marks_only_the_page_s_own_area(client, supervisor, page, current):
    client.force_login(supervisor)
    assert _current(client.get(reverse(page)).content.decode()) == current


@pytest.mark.parametrize(
    "url",
    [
        "backoffice:fraud-queue",
        "backoffice:fraud-watchlist",
        "backoffice:fraud-rules",
        "backoffice:fraud-performance",
        "fraud-claim",
    ],
)
def test_fraud_pages_have_the_header_s_search_and_notifications(client, analyst, url):
    """Issue: the Fraud area's pages had no search box and no notifications count in their
    header (they extended the bare staff layout), unlike every other staff page."""
    from claims.models import ClaimStatus
    from tests.factories import claim_in

    claim = claim_in(ClaimStatus.FRAUD_HOLD)
    client.force_login(analyst)
    address = (
        reverse("backoffice:fraud-claim", args=[claim.pk]) if url == "fraud-claim" else reverse(url)
    )
    header = client.get(address).content.decode().split("</header>")[0]
    assert 'role="search"' in header and 'name="q"' in header
    assert reverse("backoffice:notifications") in header
