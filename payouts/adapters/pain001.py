"""The real default: ISO 20022 credit transfers in a bank file, on one machine.

``send`` records the credit transfer once per idempotency key (the key is the transfer's
EndToEndId, so the bank sees it on every file and every return). ``batch_write`` (a periodic
task and ``manage.py payouts_write_batch``) writes every transfer not yet in a file into one
``pain.001.001.09`` file per run under ``PAYOUT_BANK_DIR/outgoing``, to be uploaded to the bank.
Each currency is a payment block in its scheme's standard form (``BANK_FORMATS``): EUR as a SEPA
credit transfer (service level SEPA, charges SLEV, IBAN, the SEPA character set), GBP by IBAN
or by sort code (clearing system GBDSC), USD by ABA routing number (USABA) and CAD by CPA
routing number (CACPA), each paid from the marketplace's account in that currency.
The bank answers with a ``pain.002`` status report; ``returns_parse`` reads the rejected
transfers from it for ``manage.py import_bank_returns``.
"""

import datetime as dt
import re
import unicodedata
import uuid
import xml.etree.ElementTree as ET  # noqa: S405 - writing only; returns are parsed below
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.money import exponent
from payouts.adapters.base import (
    Outcome,
    PaymentAdapter,
    PaymentInstruction,
    PaymentResult,
    PermanentFailure,
    StatementLine,
    outcome_or_raise,
    records_upsert,
)
from payouts.crypto import is_sealed, seal, unseal
from payouts.models import ProviderRecord

NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


@dataclass(frozen=True)
class BankFormat:
    """How one currency's credit transfers are written."""

    clearing_system: str  # ISO 20022 ExternalClearingSystemIdentification code for bank codes
    service_level: str = ""  # SEPA for euro transfers
    charge_bearer: str = "SHAR"
    sepa_characters: bool = False  # names and references in the SEPA Latin subset


BANK_FORMATS = {
    "EUR": BankFormat(
        clearing_system="", service_level="SEPA", charge_bearer="SLEV", sepa_characters=True
    ),
    "GBP": BankFormat(clearing_system="GBDSC"),
    "USD": BankFormat(clearing_system="USABA"),
    "CAD": BankFormat(clearing_system="CACPA"),
}


def bank_format(currency: str) -> BankFormat:
    return BANK_FORMATS.get(currency, BankFormat(clearing_system=""))


def debtor_account(currency: str) -> tuple[str, str]:
    """The marketplace's account and BIC that pay in ``currency``."""
    return settings.PAYOUT_DEBTOR_ACCOUNTS.get(
        currency, (settings.PAYOUT_DEBTOR_ACCOUNT, settings.PAYOUT_DEBTOR_BIC)
    )


# The SEPA character set: a-z A-Z 0-9 / - ? : ( ) . , ' + and space.
_NOT_SEPA = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")


def sepa_text(text: str) -> str:
    """``Zoë Müller-Łukasz`` as SEPA lets it through: ``Zoe Muller-ukasz`` (accents dropped,
    the rest replaced by a space), never a rejected file."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NOT_SEPA.sub(" ", plain).split())


NS_STATUS = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"


def bank_dir() -> Path:
    path = Path(settings.PAYOUT_BANK_DIR)
    (path / "outgoing").mkdir(parents=True, exist_ok=True)
    return path


class Pain001FileAdapter(PaymentAdapter):
    name = "pain001"

    def send(self, instruction: PaymentInstruction) -> PaymentResult:
        return outcome_or_raise(self.send_many([instruction])[0])

    def send_many(self, instructions: Sequence[PaymentInstruction]) -> list[Outcome]:
        """Record each credit transfer once per key (the key is its EndToEndId), in one
        statement; the batch file is written later by ``batch_write``."""
        outcomes: list[Outcome] = []
        rows = []
        for instruction in instructions:
            end_to_end = instruction.idempotency_key[:35]
            if instruction.payee_kind != "bank_account":
                outcomes.append(
                    PermanentFailure("NOAC", "Card tokens cannot be paid by bank transfer.")
                )
                continue
            # Kept until the batch file is written: sealed like every account number at rest.
            payee = seal(
                "|".join(
                    [
                        instruction.holder_name[:70],
                        instruction.bank_code,
                        instruction.account_number,
                        instruction.remittance[:140],
                    ]
                )
            )
            rows.append((instruction, end_to_end, payee))
            outcomes.append(PaymentResult(reference=end_to_end))
        records_upsert(adapter=self.name, rows=rows)
        return outcomes

    def statement(self) -> list[StatementLine]:
        return [
            StatementLine(r.idempotency_key, r.reference, r.amount_minor, r.currency)
            for r in ProviderRecord.objects.filter(adapter=self.name).order_by("id")
        ]


def _amount(minor: int, currency: str) -> str:
    return str(
        Decimal(minor).scaleb(-exponent(currency)).quantize(Decimal(1).scaleb(-exponent(currency)))
    )


def batch_write(*, now: dt.datetime | None = None) -> Path | None:
    """Write every transfer not yet in a file into one pain.001 file. None when nothing is due."""
    now = now or timezone.now()
    with transaction.atomic():
        records = list(
            ProviderRecord.objects.select_for_update(skip_locked=True)
            .filter(adapter=Pain001FileAdapter.name, batch_file="")
            .order_by("id")[:10_000]
        )
        if not records:
            return None
        message_id = f"CD-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        path = bank_dir() / "outgoing" / f"pain001-{message_id}.xml"
        path.write_bytes(_document(message_id=message_id, records=records, now=now))
        ProviderRecord.objects.filter(pk__in=[r.pk for r in records]).update(batch_file=path.name)
    return path


def _document(*, message_id: str, records: list[ProviderRecord], now: dt.datetime) -> bytes:
    ET.register_namespace("", NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
        if text is not None:
            element.text = text
        return element

    root = ET.Element(f"{{{NS}}}Document")
    initiation = sub(root, "CstmrCdtTrfInitn")
    header = sub(initiation, "GrpHdr")
    sub(header, "MsgId", message_id)
    sub(header, "CreDtTm", now.strftime("%Y-%m-%dT%H:%M:%S"))
    sub(header, "NbOfTxs", str(len(records)))
    sub(sub(header, "InitgPty"), "Nm", settings.PAYOUT_DEBTOR_NAME)
    by_currency: dict[str, list[ProviderRecord]] = {}
    for record in records:
        by_currency.setdefault(record.currency, []).append(record)
    for currency, group in sorted(by_currency.items()):
        scheme = bank_format(currency)
        text = sepa_text if scheme.sepa_characters else (lambda value: value)
        account, bic = debtor_account(currency)
        info = sub(initiation, "PmtInf")
        sub(info, "PmtInfId", f"{message_id}-{currency}")
        sub(info, "PmtMtd", "TRF")
        sub(info, "NbOfTxs", str(len(group)))
        sub(info, "CtrlSum", _amount(sum(r.amount_minor for r in group), currency))
        if scheme.service_level:
            sub(sub(sub(info, "PmtTpInf"), "SvcLvl"), "Cd", scheme.service_level)
        sub(sub(info, "ReqdExctnDt"), "Dt", now.date().isoformat())
        sub(sub(info, "Dbtr"), "Nm", text(settings.PAYOUT_DEBTOR_NAME))
        _account(sub(sub(info, "DbtrAcct"), "Id"), account)
        sub(sub(sub(info, "DbtrAgt"), "FinInstnId"), "BICFI", bic)
        sub(info, "ChrgBr", scheme.charge_bearer)
        for record in group:
            payee = unseal(record.payee) if is_sealed(record.payee) else record.payee
            holder, bank_code, account, remittance = (payee.split("|") + ["", "", "", ""])[:4]
            tx = sub(info, "CdtTrfTxInf")
            sub(sub(tx, "PmtId"), "EndToEndId", record.reference)
            sub(sub(tx, "Amt"), "InstdAmt", _amount(record.amount_minor, currency), Ccy=currency)
            if bank_code:
                agent = sub(sub(tx, "CdtrAgt"), "FinInstnId")
                if bank_code.isdigit():
                    member = sub(agent, "ClrSysMmbId")
                    if scheme.clearing_system:
                        sub(sub(member, "ClrSysId"), "Cd", scheme.clearing_system)
                    sub(member, "MmbId", bank_code)
                else:
                    sub(agent, "BICFI", bank_code)
            sub(sub(tx, "Cdtr"), "Nm", text(holder))
            _account(sub(sub(tx, "CdtrAcct"), "Id"), account)
            sub(sub(tx, "RmtInf"), "Ustrd", text(remittance))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _account(parent: ET.Element, account: str) -> None:
    """An IBAN where there is one (EUR, GBP by IBAN), else the national account number."""
    if account[:2].isalpha():
        ET.SubElement(parent, f"{{{NS}}}IBAN").text = account
    else:
        ET.SubElement(ET.SubElement(parent, f"{{{NS}}}Othr"), f"{{{NS}}}Id").text = account


@dataclass(frozen=True)
class ReturnedTransfer:
    end_to_end_id: str
    reason_code: str
    reason: str


def returns_parse(data: bytes) -> list[ReturnedTransfer]:
    """The rejected transfers of a pain.002 status report (or a bank's return file in it).

    Raises ``ValueError`` with a readable message for a file that is not a status report.
    """
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same problem for staff
        raise ValueError(f"Not an XML file: {exc}") from exc
    ns = root.tag.split("}")[0].strip("{") if root.tag.startswith("{") else ""
    if "pain.002" not in ns:
        raise ValueError("Not a pain.002 payment status report.")
    q = f"{{{ns}}}"
    out = []
    for tx in root.iter(f"{q}TxInfAndSts"):
        status = tx.findtext(f"{q}TxSts", default="")
        if status != "RJCT":
            continue
        end_to_end = tx.findtext(f"{q}OrgnlEndToEndId", default="").strip()
        code = tx.findtext(f"{q}StsRsnInf/{q}Rsn/{q}Cd", default="").strip()
        text = " ".join(t.text or "" for t in tx.iter(f"{q}AddtlInf")).strip()
        if end_to_end:
            out.append(ReturnedTransfer(end_to_end, code or "NARR", text))
    return out


def returns_document(returns: list[ReturnedTransfer]) -> bytes:
    """A pain.002 status report rejecting ``returns`` (what the bank would send; demo, tests)."""
    lines = "".join(
        f"<TxInfAndSts><OrgnlEndToEndId>{r.end_to_end_id}</OrgnlEndToEndId><TxSts>RJCT</TxSts>"
        f"<StsRsnInf><Rsn><Cd>{r.reason_code}</Cd></Rsn><AddtlInf>{r.reason}</AddtlInf>"
        "</StsRsnInf></TxInfAndSts>"
        for r in returns
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{NS_STATUS}"><CstmrPmtStsRpt>'
        f"<GrpHdr><MsgId>RET-{uuid.uuid4().hex[:10]}</MsgId></GrpHdr>"
        f"<OrgnlPmtInfAndSts>{lines}</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"
    ).encode()
