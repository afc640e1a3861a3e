"""Staff roles as Django groups. The permission lists are the single source of truth."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

AGENT = "Claims agent"
ANALYST = "Fraud analyst"
SUPERVISOR = "Supervisor"
SAFETY = "Safety officer"
# Given on top of "Claims agent" to the agents who handle injury claims: medical documents are
# health data (GDPR art. 9), opened only by those who need them, and every opening is logged.
MEDICAL = "Medical records (injury claims)"

_READ_MIRRORS = [
    "marketplace.view_customer",
    "marketplace.view_order",
    "marketplace.view_orderline",
    "marketplace.view_product",
    "sellers.view_seller",
    "sellers.view_insurancecertificate",
    "sellers.view_certificateverification",
    "sellers.view_sellermonthlygross",
    "claims.view_region",
    "claims.view_holiday",
]
_READ_CLAIMS = [
    "claims.view_claim",
    "claims.view_lossitem",
    "claims.view_evidence",
    "claims.view_claimevent",
]

# Decisions and payouts (issue 5): what every deciding role may look at.
_PAYOUTS_READ = [
    "payouts.view_payout",
    "payouts.view_payeedetails",
    "payouts.view_payeeevent",
    "payouts.view_payeechange",
    "payouts.view_approvalrequest",
]

# Product safety (issue 17): alerts, report drafts and filing, recall lists, incident facts.
_SAFETY = [
    "safety.view_safetyalert",
    "safety.change_safetyalert",
    "safety.file_safetyalert",
    "safety.import_recall",
    "safety.view_recall",
    "safety.view_regulator",
    "safety.view_incidentfacts",
    "safety.change_incidentfacts",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    AGENT: _READ_MIRRORS
    + _READ_CLAIMS
    + [
        "claims.change_claim",
        "claims.transition_claim",
        "claims.decide_claim",
        "claims.add_evidence",
        # Certificates are verified in the staff queue against their document, never typed in
        # the admin.
        "sellers.verify_certificate",
        "sellers.view_recovery",
        "sellers.view_withholding",
        "sellers.view_sellerresponse",
        "safety.view_safetyalert",
        *_PAYOUTS_READ,
        "payouts.set_payee",
    ],
    ANALYST: _READ_MIRRORS
    + _READ_CLAIMS
    + [
        "claims.transition_claim",
        "claims.review_fraud",
        "claims.add_evidence",
        "fraud.view_fraudreview",
        "fraud.add_fraudreview",
        "safety.view_safetyalert",
    ],
    SUPERVISOR: _READ_MIRRORS
    + _READ_CLAIMS
    + [
        "claims.change_claim",
        "claims.transition_claim",
        "claims.decide_claim",
        "claims.review_fraud",
        "claims.override_funding",
        "claims.view_all_claims",
        # Health data (GDPR art. 9): supervisors open medical documents and read who did.
        "claims.view_medical_evidence",
        "claims.view_medicalaccess",
        # Privacy law: a customer's data export on their request (privacy.services).
        "privacy.export_customer_data",
        "privacy.erase_customer_data",
        "privacy.hold_claim",
        "privacy.view_privacyrequest",
        "privacy.view_legalhold",
        "privacy.view_retentionpolicy",
        "privacy.change_retentionpolicy",
        "claims.add_evidence",
        "claims.change_region",
        "claims.add_holiday",
        "claims.change_holiday",
        "claims.delete_holiday",
        "claims.view_outbox",
        "claims.change_outbox",
        # Revoke a leaked sign-in, seller, insurer or adjuster link (admin: Access links).
        "claims.view_accesslink",
        "claims.change_accesslink",
        "sellers.change_seller",
        "sellers.verify_certificate",
        "fraud.view_fraudreview",
        "fraud.add_fraudreview",
        # Fraud review: the scoring thresholds are policy a supervisor sets (with history).
        "fraud.view_scoringpolicy",
        "fraud.change_scoringpolicy",
        "claims.view_staffprofile",
        "claims.change_staffprofile",
        "sellers.view_recovery",
        "sellers.view_withholding",
        "sellers.view_sellerresponse",
        "sellers.decide_recovery",
        "sellers.export_withholdings",
        # Product safety: supervisors hear about alerts about to breach and may act on them.
        *_SAFETY,
        "backoffice.view_dashboard",
        "backoffice.assign_claims",
        *_PAYOUTS_READ,
        "payouts.set_payee",
        # Four-eyes on payment details (issue 19): a supervisor approves another's request.
        "payouts.approve_payee_change",
        "payouts.release_payout",
        "payouts.review_qa",
        "payouts.view_qasample",
        "payouts.view_approvalpolicy",
        "payouts.change_approvalpolicy",
        "payouts.view_authoritylimit",
        "payouts.change_authoritylimit",
        "payouts.view_ledgertransaction",
        "payouts.view_ledgerentry",
        "payouts.view_providerrecord",
        "safety.change_regulator",
        # Integration API (issue 15): clients and keys on /staff/api-clients/.
        "api.manage_apiclient",
        "api.view_apiclient",
        "api.view_apikey",
        "webhooks.view_apievent",
        "webhooks.view_endpoint",
        "webhooks.view_delivery",
        "webhooks.replay_delivery",
    ],
    SAFETY: _READ_MIRRORS + _READ_CLAIMS + _SAFETY,
    MEDICAL: ["claims.view_medical_evidence"],
}


def _permissions(names: list[str]) -> list[Permission]:
    query = Q()
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    if len(found) != len(set(names)):
        have = {f"{p.content_type.app_label}.{p.codename}" for p in found}
        raise LookupError(f"Unknown permissions: {sorted(set(names) - have)}")
    return found


def roles_sync() -> None:
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_permissions(names))


def reference_data_after_migrate(sender, *, apps=None, using="default", **kwargs) -> None:
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    # post_migrate runs app by app; make sure every app's permissions exist before linking them.
    from claims.policy import regions_ensure

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    roles_sync()
    regions_ensure()
