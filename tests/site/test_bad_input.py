"""Issue 19: no input reaches a 500. Generated, not hand-picked.

Every named URL of the project (the URL resolver, admin included) is opened as someone allowed
to see it; every form the page shows (the fields parsed from its HTML, so a field added later is
walked too) is sent again with one field at a time replaced by a hostile value (in the admin's
long generic forms, every field at once), and every query-string parameter the page's GET
forms name (filtersets included), plus the common ones (page, cursor, sort, search), gets the
same values. A URL this walk does not know fails the test until it is added below, so a new
page cannot escape it. HEAD must answer wherever GET does.
"""

import datetime as dt
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from claims.actors import Actor
from claims.links import link_issue
from claims.models import Claim, ClaimStatus, LinkPurpose
from claims.services import claim_request_info, evidence_add
from fraud.models import Rule, WatchlistEntry
from fraud.referrals import fraud_refer
from portal.session import SESSION_KEY
from safety.models import SafetyAlert
from tests.factories import claim_in
from tests.sellers.helpers import awaiting

pytestmark = [pytest.mark.django_db(transaction=False)]

HOSTILE = {
    "overflow": "1e999999",
    # a huge string that is also a huge number
    "huge": "9" * 20_000,
    "nul": "a\x00b",
    "far date": "9999-12-31",
    "wrong type": "not-a-number",
}
# Query parameters every list page may be sent, whatever its forms show.
COMMON_PARAMS = ["page", "after", "sort", "o", "p", "q", "next", "all"]

# Named URLs deliberately not walked, and why.
SKIP = {
    "admin:logout": "signs the walker out",
    "backoffice:logout": "signs the walker out",
    "portal:sign-out": "signs the customer out",
    "admin:view_on_site": "redirects to a model's own page, walked under its own name",
    "admin:jsi18n": "static JavaScript catalogue",
    "admin:app_list": "walked through each model's changelist",
    "admin:password_change_done": "a static page",
    "admin:auth_user_password": "changing the walker's own password signs it out",
    "set_language": "walked by test_languages; a redirect whatever the input",
}
SKIP_SUFFIXES = ("_delete", "_history")  # confirmation pages and read-only history lists


class FormParser(HTMLParser):
    """The forms of a page as a browser sees them: method, action and default values."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (a.get("method") or "get").lower(), "action": a.get("action"), "f": {}}
            )
            return
        if not self.forms or not a.get("name"):
            return
        fields = self.forms[-1]["f"]
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                fields.setdefault(name, a.get("value") or "1")
            elif kind in ("checkbox", "radio"):
                if "checked" in a or name not in fields:
                    fields[name] = a.get("value") or "on"
            elif kind != "file":
                fields[name] = a.get("value") or ""
            else:
                fields.setdefault(name, "")
        elif tag == "select":
            self._select = name
            fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not fields.get(self._select):
                fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["f"][self._textarea] += data


def named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from named_patterns(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


@pytest.fixture
def world(db, settings, mailoutbox, django_capture_on_commit_callbacks):
    """One of everything a page can be about, and the tokens of every kind of link."""
    settings.DEMO_MODE = True
    settings.PORTAL_UPLOADS_PER_CUSTOMER_PER_DAY = 10**6
    settings.PORTAL_SUBMISSIONS_PER_CUSTOMER_PER_DAY = 10**6
    settings.PORTAL_SUBMISSIONS_PER_IP_PER_DAY = 10**6
    settings.LINK_WRITES_PER_LINK_PER_HOUR = 10**6
    settings.LINK_WRITES_PER_IP_PER_HOUR = 10**6
    cache.clear()
    root = get_user_model().objects.create_superuser("root", "root@staff.test", "pw")
    TOTPDevice.objects.create(user=root, name="phone", confirmed=True)
    StaticDevice.objects.create(user=root, name="backup", confirmed=True).token_set.create(
        token="abcd2345"
    )
    staff = Actor.staff(root)
    review = claim_in(ClaimStatus.UNDER_REVIEW)
    from tests.fraud.support import photo_bytes

    evidence = evidence_add(
        claim=review, data=photo_bytes(), filename="p.jpg", kind="product_photo", actor=staff
    )
    held = claim_in(ClaimStatus.FRAUD_HOLD)
    with django_capture_on_commit_callbacks(execute=True):
        fraud_refer(
            claim=held, actor=staff, adjuster_email="e@adj.test", label="valuable_alert", note="n"
        )
    adjuster = mailoutbox[-1].body.split("/fraud/adjuster/")[1].split("/")[0]
    seller_claim, seller_path = awaiting()
    seller_token = seller_path.rstrip("/").rsplit("/", 1)[1]
    _link, insurer_token = link_issue(
        purpose=LinkPurpose.INSURER_RESPONSE,
        email="i@ins.test",
        expires_in=dt.timedelta(days=30),
        claim=seller_claim,
        seller=seller_claim.seller,
    )
    _link, signin_token = link_issue(
        purpose=LinkPurpose.CUSTOMER_SIGN_IN,
        email="c@cust.test",
        expires_in=dt.timedelta(minutes=30),
        customer=review.customer,
        single_use=True,
    )
    info = claim_in(ClaimStatus.UNDER_REVIEW, order_line=None)
    claim_request_info(claim=info, actor=staff, message="Send the receipt")
    mine = Claim.objects.get(pk=info.pk)
    # A product-safety alert, so its pages are walked for real (issue 17).
    from safety.services import incident_facts_record, safety_alerts_raise

    incident_facts_record(claim=review, facts={"hazard": "fire_smoke"})
    safety_alerts_raise()
    return {
        "root": root,
        "review": review,
        "held": held,
        "evidence": evidence,
        "adjuster": adjuster,
        "seller_claim": seller_claim,
        "seller_token": seller_token,
        "insurer_token": insurer_token,
        "signin_token": signin_token,
        "mine": mine,
        "line": mine.order_line,
    }


def app_urls(w) -> dict[str, list[str]]:
    """The concrete URLs of every named page outside the admin."""
    ref, tok = w["seller_claim"].reference, w["seller_token"]
    mine = w["mine"].reference
    review = w["review"].pk
    alert = SafetyAlert.objects.first()
    from sellers.models import InsuranceCertificate

    certificate = getattr(InsuranceCertificate.objects.first(), "pk", 1)
    return {
        "home": [reverse("home")],
        "healthz": [reverse("healthz")],
        "favicon": [reverse("favicon")],
        "readyz": [reverse("readyz")],
        "metrics": [reverse("metrics")],
        "claims:evidence-download": [reverse("claims:evidence-download", args=[w["evidence"].pk])],
        "portal:home": [reverse("portal:home")],
        "privacy:customer-export": [reverse("privacy:customer-export")],
        "privacy:staff-export": [reverse("privacy:staff-export")],
        "privacy:staff-erase": [reverse("privacy:staff-erase")],
        "privacy:staff-hold": [reverse("privacy:staff-hold")],
        "privacy:staff-release": [reverse("privacy:staff-release", args=[1])],
        "portal:sign-in": [reverse("portal:sign-in")],
        "portal:sign-in-sent": [reverse("portal:sign-in-sent")],
        "portal:sign-in-link": [reverse("portal:sign-in-link", args=[w["signin_token"]])],
        "portal:new-claim": [reverse("portal:new-claim")],
        "portal:wizard": [
            reverse("portal:wizard", args=[w["line"].pk, step])
            for step in ("item", "incident", "losses", "evidence", "review")
        ],
        "portal:claim-detail": [reverse("portal:claim-detail", args=[mine])],
        "portal:claim-submitted": [reverse("portal:claim-submitted", args=[mine])],
        "portal:claim-evidence": [reverse("portal:claim-evidence", args=[mine])],
        "portal:claim-answer": [reverse("portal:claim-answer", args=[mine])],
        "portal:claim-withdraw": [reverse("portal:claim-withdraw", args=[mine])],
        "portal:claim-appeal": [reverse("portal:claim-appeal", args=[mine])],
        "portal:claim-payee": [reverse("portal:claim-payee", args=[mine])],
        "portal:claim-payee-confirm": [reverse("portal:claim-payee-confirm", args=[mine])],
        "portal:claim-party-payment": [reverse("portal:claim-party-payment", args=[mine])],
        "portal:evidence-download": [reverse("portal:evidence-download", args=[mine, 1])],
        "portal:outgoing-email": [reverse("portal:outgoing-email")],
        "sellers:respond": [reverse("sellers:respond", args=[ref, tok])],
        "sellers:insurance": [reverse("sellers:insurance", args=[ref, tok])],
        "sellers:insurer-respond": [
            reverse("sellers:insurer-respond", args=[ref, w["insurer_token"]])
        ],
        "sellers:statement": [reverse("sellers:statement", args=[ref, tok])],
        "sellers:recovery-appeal": [reverse("sellers:recovery-appeal", args=[ref, tok, 1])],
        "sellers:certificate-document": [reverse("sellers:certificate-document", args=[1])],
        "sellers:payment": [reverse("sellers:payment", args=[ref, tok])],
        "sellers:evidence": [reverse("sellers:evidence", args=[ref, tok, 1])],
        "sellers:insurer-evidence": [
            reverse("sellers:insurer-evidence", args=[ref, w["insurer_token"], 1])
        ],
        "sellers:sign-in": [reverse("sellers:sign-in")],
        "sellers:sign-in-sent": [reverse("sellers:sign-in-sent")],
        "sellers:sign-in-link": [reverse("sellers:sign-in-link", args=["not-a-token"])],
        "sellers:sign-out": [reverse("sellers:sign-out")],
        "sellers:inbox": [reverse("sellers:inbox")],
        "sellers:inbox-appeal": [reverse("sellers:inbox-appeal", args=[1])],
        "sellers:inbox-claim": [reverse("sellers:inbox-claim", args=[ref])],
        "sellers:inbox-insurance": [reverse("sellers:inbox-insurance", args=[ref])],
        "sellers:inbox-evidence": [reverse("sellers:inbox-evidence", args=[ref, 1])],
        "sellers:inbox-payment": [reverse("sellers:inbox-payment", args=[ref])],
        "backoffice:fraud-queue": [reverse("backoffice:fraud-queue")],
        "backoffice:fraud-next-case": [reverse("backoffice:fraud-next-case")],
        "backoffice:fraud-claim": [reverse("backoffice:fraud-claim", args=[w["held"].pk])],
        "backoffice:fraud-decide": [reverse("backoffice:fraud-decide", args=[w["held"].pk])],
        "backoffice:fraud-reassign": [reverse("backoffice:fraud-reassign", args=[w["held"].pk])],
        "backoffice:fraud-watchlist": [reverse("backoffice:fraud-watchlist")],
        "backoffice:fraud-watchlist-end": [
            reverse(
                "backoffice:fraud-watchlist-end",
                args=[(WatchlistEntry.objects.first() or w["held"]).pk],
            )
        ],
        "backoffice:fraud-rules": [reverse("backoffice:fraud-rules")],
        "backoffice:fraud-rule-edit": [
            reverse("backoffice:fraud-rule-edit", args=[Rule.objects.first().code])
        ],
        "backoffice:fraud-performance": [reverse("backoffice:fraud-performance")],
        "fraud:adjuster": [reverse("fraud:adjuster", args=[w["adjuster"]])],
        "fraud:adjuster-evidence": [reverse("fraud:adjuster-evidence", args=[w["adjuster"], 1])],
        "backoffice:queue": [reverse("backoffice:queue")],
        "backoffice:queue-export": [reverse("backoffice:queue-export")],
        "backoffice:queue-bulk": [reverse("backoffice:queue-bulk")],
        "backoffice:take-next": [reverse("backoffice:take-next")],
        "backoffice:claim": [reverse("backoffice:claim", args=[review])],
        "backoffice:claim-move": [
            reverse("backoffice:claim-move", args=[review, to])
            for to in ("approved", "denied", "needs_info", "escalated", "fraud_hold", "refer")
        ],
        "backoffice:claim-note": [reverse("backoffice:claim-note", args=[review])],
        "backoffice:claim-message": [reverse("backoffice:claim-message", args=[review])],
        "backoffice:claim-assign": [reverse("backoffice:claim-assign", args=[review])],
        "backoffice:claim-tag": [reverse("backoffice:claim-tag", args=[review])],
        "backoffice:claim-evidence-share": [
            reverse("backoffice:claim-evidence-share", args=[review, w["evidence"].pk])
        ],
        "backoffice:claim-assign-to-me": [reverse("backoffice:claim-assign-to-me", args=[review])],
        "backoffice:claim-evidence-add": [reverse("backoffice:claim-evidence-add", args=[review])],
        "backoffice:search": [reverse("backoffice:search") + "?q=PL-US"],
        "backoffice:notifications": [reverse("backoffice:notifications")],
        "backoffice:notifications-read": [reverse("backoffice:notifications-read")],
        "backoffice:dashboard": [reverse("backoffice:dashboard")],
        "backoffice:safety": [reverse("backoffice:safety")],
        "backoffice:suggest-sellers": [reverse("backoffice:suggest-sellers")],
        "backoffice:suggest-products": [reverse("backoffice:suggest-products")],
        **{
            name: [reverse(name, args=[alert.pk if alert else 1])]
            for name in (
                "backoffice:safety-alert",
                "backoffice:safety-alert-move",
                "backoffice:safety-report",
                "backoffice:safety-report-pdf",
                "backoffice:safety-report-csv",
                "backoffice:safety-report-file",
                "backoffice:safety-written-file",
            )
        },
        "backoffice:safety-facts": [reverse("backoffice:safety-facts", args=[review])],
        "backoffice:safety-recalls": [reverse("backoffice:safety-recalls")],
        "backoffice:safety-listings": [reverse("backoffice:safety-listings")],
        "backoffice:medical-access": [reverse("backoffice:medical-access")],
        "backoffice:certificates": [reverse("backoffice:certificates")],
        # Integration API (issue 15): the walker has no key, so every endpoint answers 401
        # (or 405): none may answer 500 whatever is sent.
        **api_urls(w),
        "backoffice:login": [reverse("backoffice:login")],
        "backoffice:claim-seller-link": [
            reverse("backoffice:claim-seller-link", args=[w["seller_claim"].pk])
        ],
        "backoffice:decisions": [reverse("backoffice:decisions")],
        "backoffice:decision-approval": [reverse("backoffice:decision-approval", args=[1])],
        "backoffice:qa-sample": [reverse("backoffice:qa-sample", args=[1])],
        "backoffice:money": [reverse("backoffice:money")],
        "backoffice:money-reconciliation": [
            reverse("backoffice:money-reconciliation"),
            reverse("backoffice:money-reconciliation") + "?run=1",
        ],
        **{
            name: [reverse(name, args=[1])]
            for name in (
                "backoffice:payout",
                "backoffice:payout-resend",
                "backoffice:payout-cancel",
                "backoffice:payout-return",
                "backoffice:payee-change",
                "backoffice:recovery",
            )
        },
        "backoffice:payee-change-request": [
            reverse("backoffice:payee-change-request", args=[w["review"].customer_id])
        ],
        "backoffice:sellers": [reverse("backoffice:sellers")],
        **{
            name: [reverse(name, args=[certificate])]
            for name in (
                "backoffice:certificate",
                "backoffice:certificate-document",
                "backoffice:certificate-verify",
                "backoffice:certificate-refuse",
            )
        },
    }


def api_urls(w) -> dict[str, list[str]]:
    from api.models import ApiClient, ApiKey, ClientKind
    from api.services import api_client_create, api_key_issue

    client = ApiClient.objects.first() or api_client_create(
        name="walker", kind=ClientKind.ORDER_SYSTEM, contact_email="w@clients.test"
    )
    key = ApiKey.objects.first() or api_key_issue(client=client).key
    posts = [
        "customers",
        "customers-batch",
        "sellers",
        "sellers-batch",
        "seller-gross-batch",
        "products",
        "products-batch",
        "orders",
        "orders-batch",
        "order-lines",
        "order-lines-batch",
    ]
    return {
        "api:schema": [reverse("api:schema")],
        "api:docs": [reverse("api:docs")],
        "api:claims": [reverse("api:claims")],
        "api:claim": [reverse("api:claim", args=[w["review"].reference])],
        "api:claim-respond": [reverse("api:claim-respond", args=[w["review"].reference])],
        "api:claim-payment": [reverse("api:claim-payment", args=[w["review"].reference])],
        "api:payout-status": [reverse("api:payout-status", args=["PO-1"])],
        "api:certificates": [reverse("api:certificates")],
        "api:events": [reverse("api:events")],
        "api:webhook-endpoints": [reverse("api:webhook-endpoints")],
        "api:webhook-endpoint-rotate": [reverse("api:webhook-endpoint-rotate", args=[1])],
        "api:not-found": [reverse("api:not-found"), "/api/v1/nothing/"],
        **{f"api:{name}": [reverse(f"api:{name}")] for name in posts},
        "backoffice:api-clients": [reverse("backoffice:api-clients")],
        "backoffice:demo-webhooks": [reverse("backoffice:demo-webhooks")],
        "demo-webhook-receive": [reverse("demo-webhook-receive", args=[1])],
        "backoffice:api-key-issue": [reverse("backoffice:api-key-issue", args=[client.pk])],
        "backoffice:api-key-revoke": [reverse("backoffice:api-key-revoke", args=[key.pk])],
    }


ADMIN_MODELS = {
    f"admin:{model._meta.app_label}_{model._meta.model_name}_": model
    for model in apps.get_models()
    if admin.site.is_registered(model)
}


def admin_urls(name: str, pattern: URLPattern) -> list[str] | None:
    """Admin pages: the site's own, and each model's with the first object it holds."""
    if name in ("admin:index", "admin:login", "admin:password_change", "admin:autocomplete"):
        return [reverse(name)]
    model = next((m for prefix, m in ADMIN_MODELS.items() if name.startswith(prefix)), None)
    if model is None:
        return None
    keys = set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)
    if keys - {"object_id", "pk"} or pattern.pattern.regex.groups > len(keys):
        return []  # a history record's page: read-only, reached from the history list
    if not keys:
        return [reverse(name)]
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        return []
    kwargs = {key: obj.pk if key != "object_id" else str(obj.pk) for key in keys}
    return [reverse(name, kwargs=kwargs)]


def forms_of(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def walk(client: Client, url: str, failures: list, *, per_field: bool) -> None:
    """Open ``url``, then send each of its forms and parameters with each hostile value.

    ``per_field``: one field at a time, the others as the page filled them (the project's own
    pages, where a form's later checks run only when the other fields are valid). Otherwise
    every field at once, one request per value (the admin's long generic forms).
    """

    def check(method: str, target: str, data: dict, what: str) -> None:
        call = client.post if method == "post" else client.get
        response = call(target, data)
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            reason = repr(exc[1])[:160] if exc else ""
            failures.append(f"{method.upper()} {target} {what}: {response.status_code} {reason}")

    page = client.get(url)
    if page.status_code >= 500:
        failures.append(f"GET {url}: {page.status_code}")
        return
    head = client.head(url)
    if head.status_code == 405 and page.status_code != 405:
        failures.append(f"HEAD {url}: 405 where GET answers {page.status_code}")
    forms = []
    if page.status_code == 200 and "html" in page.get("Content-Type", ""):
        forms = forms_of(page.content.decode())
    params = set(COMMON_PARAMS)
    for form in forms:
        target = form["action"] or url
        if urlsplit(target).netloc or target.rstrip("/").endswith(("/delete", "/logout")):
            # off-site, a delete confirmation (it would delete the walker's data), or the
            # header's sign-out (it would sign the walker out of every page after it)
            continue
        if form["method"] == "get":
            params |= set(form["f"])
            continue
        fields = [f for f in form["f"] if f != "csrfmiddlewaretoken"]
        for label, value in HOSTILE.items():
            if per_field:
                for field in fields:
                    check("post", target, {**form["f"], field: value}, f"{field}={label}")
            else:
                check("post", target, {**form["f"], **dict.fromkeys(fields, value)}, label)
    if page.status_code == 405:  # POST-only: the hostile values go to the body
        for label, value in HOSTILE.items():
            check("post", url, {p: value for p in params}, f"every param={label}")
        return
    for param in sorted(params):
        for label, value in HOSTILE.items():
            check("get", f"{url}?{urlencode({param: value})}", {}, f"{param}={label}")


def test_no_input_reaches_a_500(world):
    # given: a client signed in as the superuser and as a customer, and every named URL
    client = Client(raise_request_exception=False)
    client.force_login(world["root"])
    session = client.session
    session[SESSION_KEY] = world["mine"].customer_id
    session.save()
    apps_urls = app_urls(world)
    failures: list[str] = []
    unknown = []
    walked = set()
    # when
    for name, pattern in named_patterns():
        if name in SKIP or name.endswith(SKIP_SUFFIXES):
            continue
        urls = apps_urls.get(name)
        if urls is None:
            urls = admin_urls(name, pattern)
        if urls is None:
            unknown.append(name)
            continue
        for url in urls:
            if url in walked:
                continue
            walked.add(url)
            started, before = time.monotonic(), len(failures)
            walk(client, url, failures, per_field=not name.startswith("admin:"))
            # shown with -s or when the test fails: where the time went, what broke
            print(f"{time.monotonic() - started:6.1f}s {url}", *failures[before:], file=sys.stderr)
            # a hostile request may have signed the customer out or reset the walker
            client.force_login(world["root"])
            session = client.session
            session[SESSION_KEY] = world["mine"].customer_id
            session.save()
    # then
    assert unknown == [], "new pages: add them to app_urls() so that they are walked"
    assert failures == []
    assert len(walked) > 100
