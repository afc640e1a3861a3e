from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.money import MoneyError, amount_input, to_minor
from claims.uploads import ALLOWED_DESCRIPTION, upload_problems_add
from claims_site.bounds import whole_number_field
from sellers.models import InsurerRating, ResponseDecision, ResponseParty
from sellers.services.certificates import certificate_date_problems, certificate_sent_problems

MAX_FILES_PER_ANSWER = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        # Empty files reach the upload policy, whose message names the file (as on every path).
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_FILES_PER_ANSWER:
            raise forms.ValidationError(
                _("Attach at most %(n)d files at a time.") % {"n": MAX_FILES_PER_ANSWER}
            )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(label=_("What do you want to do?"), widget=forms.RadioSelect)
    reasons = forms.CharField(
        label=_("Reasons"),
        help_text=_("Required when you dispute the claim."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )
    insurer_name = forms.CharField(
        label=_("Insurer"),
        required=False,
        max_length=200,
        help_text=_("Only when you hand the claim to your insurer."),
    )
    # Checked only on a hand-off (``response_problems``): ignored with any other answer.
    insurer_email = forms.CharField(
        label=_("Insurer's claims e-mail"),
        required=False,
        max_length=254,
        widget=forms.EmailInput,
        help_text=_("We send your insurer its own link to answer."),
    )
    keep = forms.TypedMultipleChoiceField(
        label=_("Keep files from your previous answer"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    files = MultipleFileField(
        label=_("Evidence files"), required=False, help_text=ALLOWED_DESCRIPTION
    )

    def __init__(self, *args, party: str, previous_files: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [
            (ResponseDecision.ACCEPT.value, ResponseDecision.ACCEPT.label),
            (ResponseDecision.DISPUTE.value, ResponseDecision.DISPUTE.label),
        ]
        if party == ResponseParty.SELLER:
            choices.append((ResponseDecision.INSURER.value, ResponseDecision.INSURER.label))
        else:
            del self.fields["insurer_name"], self.fields["insurer_email"]
        self.fields["decision"].choices = choices
        self.fields["keep"].choices = previous_files
        self.fields["keep"].initial = [pk for pk, _name in previous_files]
        if not previous_files:
            del self.fields["keep"]
        self.party = party

    def clean(self):
        from sellers.services.responses import response_problems

        data = super().clean()
        if data.get("decision"):
            problems = response_problems(
                party=self.party,
                decision=data["decision"],
                reasons=data.get("reasons", ""),
                insurer_name=data.get("insurer_name", ""),
                insurer_email=data.get("insurer_email", ""),
            )
            for field, message in problems.items():
                if field not in self.errors:  # the field's own check already said it
                    self.add_error(field, message)
        upload_problems_add(self, "files")
        return data


class DateInput(forms.DateInput):
    input_type = "date"


class CertificateForm(forms.Form):
    insurer_name = forms.CharField(label=_("Insurer"), max_length=200)
    policy_number = forms.CharField(label=_("Policy number"), max_length=80)
    occurrence_based = forms.TypedChoiceField(
        label=_("Type of cover"),
        choices=[("1", _("Occurrence-based")), ("0", _("Claims-made"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    per_occurrence = forms.CharField(label=_("Per-occurrence limit"), max_length=20)
    aggregate = forms.CharField(label=_("Aggregate limit"), max_length=20)
    deductible = forms.CharField(label=_("Deductible"), max_length=20)
    # No preset: a rating the seller did not choose must not be sent as theirs.
    insurer_rating = forms.ChoiceField(
        label=_("Insurer rating (AM Best)"),
        choices=[("", _("Choose the rating"))] + InsurerRating.choices,
        error_messages={"required": _("Choose the insurer's rating from the certificate.")},
    )
    marketplace_additional_insured = forms.BooleanField(
        label=_("The marketplace is named as additional insured"), required=False
    )
    cancellation_notice_days = whole_number_field(
        minimum=0,
        maximum=3650,
        label=_("Notice of cancellation (days)"),
        help_text=_("How many days before cancelling the cover the insurer must tell us."),
    )
    effective_date = forms.DateField(label=_("Effective from"), widget=DateInput)
    expiry_date = forms.DateField(label=_("Expires on"), widget=DateInput)
    document = forms.FileField(
        label=_("Certificate document"),
        help_text=ALLOWED_DESCRIPTION,
        allow_empty_file=True,  # an empty file is refused by the upload policy, with its message
        error_messages={
            "required": _(
                "Attach the certificate document (a PDF, or a photo of it): we check every "
                "value against it."
            )
        },
    )

    def __init__(self, *args, currency: str, **kwargs):
        # Its own ids: the seller's page also has the answer form (with an "insurer" field).
        kwargs.setdefault("auto_id", "cert_%s")
        super().__init__(*args, **kwargs)
        self.currency = currency
        for name in ("per_occurrence", "aggregate", "deductible"):
            self.fields[name].help_text = _("In %(currency)s, e.g. %(example)s") % {
                "currency": currency,
                "example": amount_input(100_000_000, currency),
            }

    def _amount(self, name: str) -> int:
        try:
            value = to_minor(self.cleaned_data[name], self.currency)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from None
        if value < 0:
            raise forms.ValidationError(_("Amounts cannot be negative."))
        return value

    def clean_per_occurrence(self) -> int:
        return self._amount("per_occurrence")

    def clean_aggregate(self) -> int:
        return self._amount("aggregate")

    def clean_deductible(self) -> int:
        return self._amount("deductible")

    def certificate_input(self):
        """The cleaned values as the certificate services take them."""
        from sellers.services.certificates import CertificateInput

        return CertificateInput.of(self.cleaned_data, currency=self.currency)

    def clean(self):
        data = super().clean()
        problems = self._problems(data)
        for field, message in problems.items():
            self.add_error(field, message)
        upload_problems_add(self, "document")
        return data

    def _problems(self, data: dict) -> dict[str, str]:
        return certificate_sent_problems(
            effective_date=data.get("effective_date"),
            expiry_date=data.get("expiry_date"),
            per_occurrence_minor=data.get("per_occurrence"),
            aggregate_minor=data.get("aggregate"),
            today=timezone.localdate(),
        )


class CertificateVerifyForm(CertificateForm):
    """Staff confirm or correct each value against the document (the seller's values are the
    initial ones); the policy checks run on what they confirm."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["document"]

    def _problems(self, data: dict) -> dict[str, str]:
        # What staff confirm is checked against the policy on verification: an expired
        # certificate is recorded as failing it, not refused as a typing error.
        start, end = data.get("effective_date"), data.get("expiry_date")
        if not (start and end):
            return {}
        return certificate_date_problems(
            effective_date=start, expiry_date=end, today=timezone.localdate()
        )


class CertificateRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing (sent to the seller)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Give the seller the reason for refusing.")},
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you should not owe this amount"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


class PaymentRecordForm(forms.Form):
    """The seller (or insurer) records paying an accepted claim."""

    amount = forms.CharField(label=_("Amount paid"), max_length=20)
    paid_on = forms.DateField(label=_("Date paid"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(
        label=_("Payment reference"),
        max_length=100,
        help_text=_("As it appears on the customer's statement."),
    )
    proof = forms.FileField(
        label=_("Proof of payment (optional)"), required=False, help_text=ALLOWED_DESCRIPTION
    )

    def __init__(self, *args, payment, **kwargs):
        super().__init__(*args, **kwargs)
        self.payment = payment
        self.currency = payment.currency

    def clean_amount(self):
        try:
            return to_minor(self.cleaned_data["amount"].strip(), self.currency)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc) or _("Enter an amount.")) from exc

    def clean(self):
        from sellers.services.party_payments import party_payment_problems

        data = super().clean()
        problems = party_payment_problems(
            payment=self.payment,
            amount_minor=data.get("amount"),
            paid_on=data.get("paid_on"),
            reference=data.get("reference"),
            now=timezone.now(),
        )
        for field, message in problems.items():
            self.add_error(field, message)
        upload_problems_add(self, "proof")
        return data


class SellerSignInForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The address where we send you claims."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)
