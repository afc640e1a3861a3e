from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claims.scope import claims_visible_to, customers_visible_to
from marketplace.models import Customer


class StaffExportForm(forms.Form):
    customer = forms.CharField(
        label=_("Customer"),
        max_length=200,
        help_text=_("Their e-mail address, marketplace customer id, or a claim reference."),
    )
    reason = forms.CharField(
        label=_("How the customer asked"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the record: e.g. “e-mail of 3 December, ticket 4411”."),
    )

    def __init__(self, *args, user=None, **kwargs):
        # Need-to-know (claims.scope): only customers whose claims are all in the staff
        # member's regions are found; the others are not there.
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_customer(self) -> Customer:
        text = self.cleaned_data["customer"].strip()
        matches = list(
            customers_visible_to(self.user)
            .filter(Q(email__iexact=text) | Q(marketplace_id=text) | Q(claims__reference=text))
            .distinct()[:2]
        )
        if not matches:
            raise forms.ValidationError(
                _("No customer has the e-mail, customer id or claim reference “%(text)s”."),
                params={"text": text},
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("More than one customer has the e-mail “%(text)s”: use their customer id."),
                params={"text": text},
            )
        return matches[0]


class StaffEraseForm(StaffExportForm):
    reason = forms.CharField(
        label=_("Why the data is erased"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For the record: e.g. “customer's request by e-mail of 3 December”."),
    )
    confirm = forms.BooleanField(
        label=_("I understand that the customer's personal data cannot be restored."),
    )


class HoldForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    claim = forms.CharField(label=_("Claim reference"), max_length=32)
    reason = forms.CharField(
        label=_("Why the claim must be kept"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The case, the inquiry or the regulator's request."),
    )

    def clean_claim(self):
        reference = self.cleaned_data["claim"].strip()
        claim = claims_visible_to(self.user).filter(reference=reference).first()
        if claim is None:
            raise forms.ValidationError(
                _("No claim has the reference “%(ref)s”."), params={"ref": reference}
            )
        return claim


class ReleaseForm(forms.Form):
    reason = forms.CharField(label=_("Why the hold is released"), max_length=500)
