"""Account numbers at rest: sealed in the database, opened only with a configured key, never
silently passed through, rotated by listing a new key first, and production refusing to
start without its own key."""

import importlib
import os
import subprocess
import sys

import pytest
from django.db import connection

from payouts import crypto
from payouts.models import PayeeDetails
from tests.factories import CustomerFactory
from tests.payouts.helpers import approved_claim, deliver_payout_messages, with_payee

pytestmark = pytest.mark.django_db

NEW_KEY = f"k2:{crypto.key_generate()}"


def _stored(column: str = "account_number") -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM payouts_payeedetails")  # noqa: S608 - test constant
        return cursor.fetchone()[0]


def test_the_database_holds_only_the_envelope_and_python_sees_the_number():
    customer = CustomerFactory()
    with_payee(customer, "12345678")
    stored = _stored()
    assert stored.startswith("enc1$dev$") and "12345678" not in stored
    payee = PayeeDetails.objects.get(customer=customer)
    assert payee.account_number == "12345678" and payee.last4 == "5678"
    assert payee.masked == "Bank account ••••5678"


def test_equal_numbers_give_different_envelopes():
    assert crypto.seal("12345678") != crypto.seal("12345678")


def test_a_tampered_value_is_refused_not_passed_through():
    sealed = crypto.seal("12345678")
    head, data = sealed.rsplit("$", 1)
    flipped = data[:-2] + ("A" if data[-2] != "A" else "B") + data[-1]
    with pytest.raises(crypto.SealedValueError):
        crypto.unseal(f"{head}${flipped}")
    with pytest.raises(crypto.SealedValueError):
        crypto.unseal("12345678")  # plain text where an envelope belongs


def test_a_value_whose_key_is_gone_is_refused(settings):
    sealed = crypto.seal("12345678")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(crypto.SealedValueError, match="No key 'dev'"):
        crypto.unseal(sealed)


def test_rotation_new_key_first_old_values_still_open_and_resaving_rewraps(settings):
    customer = CustomerFactory()
    with_payee(customer, "12345678")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, settings.FIELD_ENCRYPTION_KEYS_EMBEDDED]
    payee = PayeeDetails.objects.get(customer=customer)
    assert payee.account_number == "12345678"
    from django.core.management import call_command

    call_command("payee_keys_rotate")
    assert crypto.key_id(_stored()) == "k2"
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert PayeeDetails.objects.get(customer=customer).account_number == "12345678"


def test_badly_formed_keys_stop_the_process(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEYS = ["nokey"]
    with pytest.raises(ImproperlyConfigured):
        crypto.seal("1")
    settings.FIELD_ENCRYPTION_KEYS = ["short:AAAA"]
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        crypto.seal("1")


def test_the_migration_seals_rows_stored_in_plain_text():
    # given: a row written as before this change (plain number, no last four)
    customer = CustomerFactory()
    with_payee(customer, "12345678")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payouts_payeedetails SET account_number = '87654321', last4 = '', "
            "fingerprint = ''"
        )
    # when
    migration = importlib.import_module("payouts.migrations.0004_payee_details_protected")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.encrypt_existing(None, editor)
    migration.encrypt_existing(None, editor)  # a second run changes nothing
    # then
    assert crypto.is_sealed(_stored())
    payee = PayeeDetails.objects.get(customer=customer)
    assert payee.account_number == "87654321" and payee.last4 == "4321" and payee.fingerprint


def test_the_payout_pipeline_gets_the_full_number_and_logs_the_reveal(caplog):
    from payouts.adapters.sandbox import SandboxAdapter
    from payouts.services import payouts_send_due

    seen = []

    class Spy(SandboxAdapter):
        def send_many(self, instructions):
            seen.extend(i.account_number for i in instructions)
            return super().send_many(instructions)

    approved_claim(account="12345678")
    deliver_payout_messages()
    with caplog.at_level("INFO", logger="payouts.payee_reveal"):
        payouts_send_due(adapter=Spy())
    assert seen == ["12345678"]
    reveal = [r for r in caplog.records if r.name == "payouts.payee_reveal"]
    assert len(reveal) == 1 and reveal[0].purpose == "payout_send"
    assert "12345678" not in reveal[0].getMessage() and reveal[0].payee_ids


def _production_import(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - a fixed interpreter and module
        [sys.executable, "-c", "import claims_site.settings.production"],
        env={
            **{k: v for k, v in os.environ.items() if k != "FIELD_ENCRYPTION_KEYS"},
            "DJANGO_SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "example.test",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_requires_its_own_key():
    missing = _production_import({})
    assert missing.returncode != 0 and "FIELD_ENCRYPTION_KEYS" in missing.stderr
    embedded = _production_import(
        {"FIELD_ENCRYPTION_KEYS": "dev:ZGV2LW9ubHktZW1iZWRkZWQta2V5LW5vdC1zZWNyZXQ"}
    )
    assert embedded.returncode != 0 and "embedded development key" in embedded.stderr
    assert _production_import({"FIELD_ENCRYPTION_KEYS": NEW_KEY}).returncode == 0
