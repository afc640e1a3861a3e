"""Issue 16: each currency's transfers in its scheme's standard form inside the pain.001 file."""

import pytest
from defusedxml.ElementTree import fromstring

from claims.actors import Actor
from claims.models import ClaimStatus
from claims.services import claim_approve
from payouts.adapters.pain001 import NS, Pain001FileAdapter, batch_write, sepa_text
from payouts.services import payee_set, payouts_send_due
from tests.factories import claim_in, line_in_region
from tests.payouts.helpers import deliver_payout_messages

pytestmark = pytest.mark.django_db
Q = f"{{{NS}}}"


@pytest.fixture(autouse=True)
def _bank(settings, tmp_path):
    settings.PAYOUT_ADAPTER = "payouts.adapters.pain001.Pain001FileAdapter"
    settings.PAYOUT_BANK_DIR = str(tmp_path / "bank")


def _approved_in(code: str, *, holder: str, bank_code: str, account: str):
    claim = claim_in(ClaimStatus.UNDER_REVIEW, order_line=line_in_region(code), amount_minor=123_45)
    payee_set(
        customer=claim.customer,
        actor=Actor.system("test"),
        kind="bank_account",
        holder_name=holder,
        bank_code=bank_code,
        account_number=account,
    )
    return claim_approve(
        claim=claim,
        actor=Actor.system("test"),
        approved={item.pk: item.claimed_minor for item in claim.losses.all()},
        funding="concession",
    )


def _block(doc, currency: str):
    for info in doc.iter(f"{Q}PmtInf"):
        if info.findtext(f"{Q}PmtInfId").endswith(f"-{currency}"):
            return info
    raise AssertionError(f"no {currency} payment block")


def test_each_currency_is_written_in_its_banks_standard_format():
    # given: approved claims in Germany, the UK (IBAN and sort code), Canada and the US
    _approved_in(
        "DE", holder="Zoë Müller", bank_code="COBADEFFXXX", account="DE89370400440532013000"
    )
    _approved_in("GB", holder="Ann Lee", bank_code="NWBKGB2L", account="GB29NWBK60161331926819")
    _approved_in("GB", holder="Bob Ray", bank_code="601613", account="31926819")
    _approved_in("CA", holder="Léa Roy", bank_code="000312345", account="1234567")
    _approved_in("US", holder="Sam Poe", bank_code="021000021", account="12345678")
    deliver_payout_messages()
    payouts_send_due(adapter=Pain001FileAdapter())
    # when
    doc = fromstring(batch_write().read_bytes())
    # then: EUR is a SEPA credit transfer from the euro IBAN, in the SEPA character set
    eur = _block(doc, "EUR")
    assert eur.findtext(f"{Q}PmtTpInf/{Q}SvcLvl/{Q}Cd") == "SEPA"
    assert eur.findtext(f"{Q}ChrgBr") == "SLEV"
    assert eur.findtext(f"{Q}DbtrAcct/{Q}Id/{Q}IBAN") == "DE89370400440532013000"
    assert eur.findtext(f".//{Q}CdtrAcct/{Q}Id/{Q}IBAN") == "DE89370400440532013000"
    assert eur.findtext(f".//{Q}CdtrAgt/{Q}FinInstnId/{Q}BICFI") == "COBADEFFXXX"
    assert eur.findtext(f".//{Q}Cdtr/{Q}Nm") == "Zoe Muller"
    assert eur.find(f".//{Q}InstdAmt").attrib == {"Ccy": "EUR"}
    assert eur.findtext(f".//{Q}InstdAmt") == "123.45"
    # GBP: by IBAN where the customer gave one, else sort code (GBDSC) and account number
    gbp = _block(doc, "GBP")
    assert gbp.findtext(f"{Q}DbtrAcct/{Q}Id/{Q}IBAN") == "GB29NWBK60161331926819"
    assert [e.text for e in gbp.iter(f"{Q}IBAN")][1:] == ["GB29NWBK60161331926819"]
    clearing = [
        (m.findtext(f"{Q}ClrSysId/{Q}Cd"), m.findtext(f"{Q}MmbId"))
        for m in gbp.iter(f"{Q}ClrSysMmbId")
    ]
    assert clearing == [("GBDSC", "601613")]
    assert gbp.findtext(f".//{Q}CdtrAcct/{Q}Id/{Q}Othr/{Q}Id") == "31926819"
    # CAD and USD as before, their routing numbers named by clearing system
    cad, usd = _block(doc, "CAD"), _block(doc, "USD")
    assert cad.findtext(f".//{Q}ClrSysMmbId/{Q}ClrSysId/{Q}Cd") == "CACPA"
    assert cad.findtext(f".//{Q}ClrSysMmbId/{Q}MmbId") == "000312345"
    assert cad.findtext(f".//{Q}Cdtr/{Q}Nm") == "Léa Roy"  # not a SEPA transfer: kept as is
    assert usd.findtext(f".//{Q}ClrSysMmbId/{Q}ClrSysId/{Q}Cd") == "USABA"
    assert usd.findtext(f".//{Q}ClrSysMmbId/{Q}MmbId") == "021000021"
    assert usd.find(f"{Q}PmtTpInf") is None and cad.find(f"{Q}PmtTpInf") is None


@pytest.mark.parametrize(
    ("text", "sepa"),
    [
        ("Zoë Müller", "Zoe Muller"),
        ("O'Brien & Söhne", "O'Brien Sohne"),
        ("PL-DE-2026-1", "PL-DE-2026-1"),
    ],
)
def test_sepa_text_keeps_only_what_sepa_banks_accept(text, sepa):
    assert sepa_text(text) == sepa
