"""The real default: ISO 20022 credit transfers in a bank file, on one machine.

``send`` records the credit transfer once per idempotency key (the key is the transfer's
EndToEndId, so the bank sees it on every file and every return). ``batch_write`` (a periodic
task and ``manage.py payouts_write_batch``) writes every transfer not yet in a file into one
``pain.001.001.09`` file per run under ``PAYOUT_BANK_DIR/outgoing``, to be uploaded to the bank.
The bank answers with a ``pain.002`` status report; ``returns_parse`` reads the rejected
transfers from it for ``manage.py import_bank_returns``.
"""

import datetime as dt
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
        info = sub(initiation, "PmtInf")
        sub(info, "PmtInfId", f"{message_id}-{currency}")
        sub(info, "PmtMtd", "TRF")
        sub(info, "NbOfTxs", str(len(group)))
        sub(info, "CtrlSum", _amount(sum(r.amount_minor for r in group), currency))
        sub(sub(info, "ReqdExctnDt"), "Dt", now.date().isoformat())
        sub(sub(info, "Dbtr"), "Nm", settings.PAYOUT_DEBTOR_NAME)
        sub(sub(sub(sub(info, "DbtrAcct"), "Id"), "Othr"), "Id", settings.PAYOUT_DEBTOR_ACCOUNT)
        sub(sub(sub(info, "DbtrAgt"), "FinInstnId"), "BICFI", settings.PAYOUT_DEBTOR_BIC)
        for record in group:
            payee = unseal(record.payee) if is_sealed(record.payee) else record.payee
            holder, bank_code, account, remittance = (payee.split("|") + ["", "", "", ""])[:4]
            tx = sub(info, "CdtTrfTxInf")
            sub(sub(tx, "PmtId"), "EndToEndId", record.reference)
            sub(sub(tx, "Amt"), "InstdAmt", _amount(record.amount_minor, currency), Ccy=currency)
            agent = sub(sub(tx, "CdtrAgt"), "FinInstnId")
            if bank_code.isdigit():
                sub(sub(agent, "ClrSysMmbId"), "MmbId", bank_code)
            else:
                sub(agent, "BICFI", bank_code)
            sub(sub(tx, "Cdtr"), "Nm", holder)
            account_id = sub(sub(tx, "CdtrAcct"), "Id")
            if account[:2].isalpha():
                sub(account_id, "IBAN", account)
            else:
                sub(sub(account_id, "Othr"), "Id", account)
            sub(sub(tx, "RmtInf"), "Ustrd", remittance)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


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
