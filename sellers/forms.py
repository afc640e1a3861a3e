from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.money import MoneyError, to_minor
from claims.uploads import ALLOWED_DESCRIPTION
from sellers.models import InsurerRating, ResponseDecision, ResponseParty
from sellers.services.certificates import certificate_date_problems

MAX_FILES_PER_ANSWER = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
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
    insurer_email = forms.EmailField(
        label=_("Insurer's claims e-mail"),
        required=False,
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
    insurer_rating = forms.ChoiceField(label=_("Insurer rating (AM Best)"), choices=InsurerRating)
    marketplace_additional_insured = forms.BooleanField(
        label=_("The marketplace is named as additional insured"), required=False
    )
    effective_date = forms.DateField(label=_("Effective from"), widget=DateInput)
    expiry_date = forms.DateField(label=_("Expires on"), widget=DateInput)
    document = forms.FileField(
        label=_("Certificate document"), required=False, help_text=ALLOWED_DESCRIPTION
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        for name in ("per_occurrence", "aggregate", "deductible"):
            self.fields[name].help_text = _("In %(currency)s, e.g. 1,000,000.00") % {
                "currency": currency
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

    def clean(self):
        data = super().clean()
        start, end = data.get("effective_date"), data.get("expiry_date")
        if start and end:
            problems = certificate_date_problems(
                effective_date=start, expiry_date=end, today=timezone.localdate()
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return data


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you should not owe this amount"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
