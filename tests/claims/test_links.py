import datetime as dt

import pytest
from django.utils import timezone

from claims.links import LinkRefused, link_issue, link_resolve, link_revoke
from claims.models import AccessLink, LinkPurpose
from tests.factories import claim_new

pytestmark = pytest.mark.django_db


def _issue(**kwargs):
    claim = kwargs.pop("claim", None) or claim_new()
    return claim, *link_issue(
        purpose=LinkPurpose.SELLER_RESPONSE,
        email="s@x.test",
        expires_in=dt.timedelta(days=7),
        claim=claim,
        seller=claim.seller,
        **kwargs,
    )


def _refused(token, **kwargs) -> str:
    with pytest.raises(LinkRefused) as excinfo:
        link_resolve(
            token=token, purpose=kwargs.pop("purpose", LinkPurpose.SELLER_RESPONSE), **kwargs
        )
    return excinfo.value.reason


def test_a_good_link_resolves_to_its_claim_and_seller():
    claim, link, token = _issue()
    resolved = link_resolve(token=token, purpose=LinkPurpose.SELLER_RESPONSE, claim=claim)
    assert resolved.pk == link.pk and resolved.seller == claim.seller
    assert token.split(":")[1] not in AccessLink.objects.get(pk=link.pk).secret_hash


def test_tampered_expired_revoked_and_other_claim_links_are_refused(supervisor):
    claim, link, token = _issue()
    assert _refused(token[:-2] + "xx") == "tampered"
    assert _refused(token, purpose=LinkPurpose.ADJUSTER_REVIEW) == "tampered"
    assert _refused(token, claim=claim_new()) == "wrong_claim"
    later = timezone.now() + dt.timedelta(days=8)
    assert _refused(token, now=later) == "expired"
    link_revoke(link=link, revoked_by=supervisor, reason="Seller changed contact")
    assert _refused(token) == "revoked"


def test_a_link_whose_row_is_gone_is_refused():
    _claim, link, token = _issue()
    AccessLink.objects.filter(pk=link.pk).delete()
    assert _refused(token) == "unknown"


def test_single_use_link_works_once():
    _claim, _link, token = _issue(single_use=True)
    link_resolve(token=token, purpose=LinkPurpose.SELLER_RESPONSE)
    assert _refused(token) == "used"
