"""The payment-details form, one scheme at a time: the customer's page and the staff's
request both use it, so both apply the same checks (``payouts.bank_details``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from payouts.bank_details import SCHEME_FIELDS, BankDetailsInvalid, bank_details_parse


def _text(label, *, help_text="", required=True, numeric=False, autocomplete="off"):
    attrs = {"autocomplete": autocomplete, "spellcheck": "false"}
    if numeric:
        attrs["inputmode"] = "numeric"
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=64,  # generous for what is typed (spaces, dashes); the checks are exact
        widget=forms.TextInput(attrs=attrs),
    )


def _fields() -> dict:
    return {
        "holder_name": forms.CharField(
            label=_("Name on the account"),
            max_length=140,
            widget=forms.TextInput(attrs={"autocomplete": "name"}),
        ),
        "routing_number": _text(
            _("Routing number"),
            help_text=_("9 digits, on your cheques or in your bank app."),
            numeric=True,
        ),
        "transit_number": _text(
            _("Transit number"), help_text=_("5 digits: your branch."), numeric=True
        ),
        "institution_number": _text(
            _("Institution number"), help_text=_("3 digits: your bank."), numeric=True
        ),
        "sort_code": _text(
            _("Sort code"), help_text=_("6 digits, for example 12-34-56."), numeric=True
        ),
        "account_number": _text(_("Account number"), numeric=True),
        "iban": _text(_("IBAN"), help_text=_("For example DE89 3704 0044 0532 0130 00.")),
        "bic": _text(
            _("BIC (SWIFT code)"),
            help_text=_("Optional when we can find your bank from the IBAN."),
            required=False,
        ),
    }


class BankDetailsForm(forms.Form):
    """The fields of one scheme. After ``is_valid()``, ``details`` holds the checked
    ``BankDetails``; each refusal is attached to its own field, in the words of
    ``bank_details_parse`` (to the account holder) unless ``reworded`` (by refusal code) says
    it otherwise for whoever fills this form in."""

    reworded: dict[str, str] = {}

    def __init__(self, *args, scheme: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        every = _fields()
        for name in SCHEME_FIELDS[scheme]:
            self.fields[name] = every[name]
        self.details = None

    def clean(self):
        # Checked whatever else is wrong (another field, a subclass's reason), so every
        # problem is said at once; a field already refused (missing) keeps its own error.
        cleaned = super().clean()
        try:
            details = bank_details_parse(scheme=self.scheme, data=cleaned)
        except BankDetailsInvalid as exc:
            for field, message in exc.errors.items():
                message = self.reworded.get(exc.codes.get(field, ""), message)
                field = field if field in self.fields else None
                if field is None or field not in self.errors:
                    self.add_error(field, message)
        else:
            self.details = None if self.errors else details
        return cleaned
