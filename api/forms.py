"""The supervisors' forms on /staff/api-clients/."""

import secrets
import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiClient, ClientKind, Scope
from claims_site.bounds import whole_number_field
from sellers.models import Seller


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ClientKind.choices)
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        help_text=_("Told when its webhook endpoint is disabled after failing."),
    )
    seller = forms.CharField(
        label=_("Seller's marketplace id"),
        max_length=40,
        required=False,
        help_text=_("For a seller's client: the seller whose claims it sees."),
    )
    insurer_email = forms.EmailField(
        label=_("Insurer e-mail"),
        required=False,
        help_text=_("For an insurer's client: the address sellers hand claims to."),
    )
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_(
            "For the dates in its answers, e.g. Europe/Berlin. Empty: the seller's region's "
            "zone for a seller's client, UTC for the others."
        ),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if ApiClient.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A client with this name exists already."))
        return name

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"].strip()
        if name:
            try:
                zoneinfo.ZoneInfo(name)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                raise forms.ValidationError(_("Unknown time zone.")) from None
        return name

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        seller_id = (data.get("seller") or "").strip()
        data["seller_obj"] = None
        if kind == ClientKind.SELLER:
            if not seller_id:
                self.add_error("seller", _("A seller's client needs the seller it acts for."))
            else:
                data["seller_obj"] = Seller.objects.filter(marketplace_id=seller_id).first()
                if data["seller_obj"] is None:
                    self.add_error("seller", _("No seller has this marketplace id."))
        elif seller_id:
            self.add_error("seller", _("Only a seller's client names a seller."))
        if kind == ClientKind.INSURER and not data.get("insurer_email"):
            self.add_error(
                "insurer_email", _("An insurer's client needs the address claims are handed to.")
            )
        elif kind != ClientKind.INSURER and data.get("insurer_email"):
            self.add_error("insurer_email", _("Only an insurer's client has this address."))
        return data


class ApiKeyForm(forms.Form):
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    rate_per_minute = whole_number_field(
        minimum=1,
        maximum=100_000,
        label=_("Requests per minute"),
        initial=600,
    )
    # One-time: a fresh token each time the form is shown; the key it issues keeps it, so the
    # same form posted again (reload, double click) issues nothing (api_key_issue).
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, client: ApiClient, **kwargs):
        super().__init__(*args, **kwargs)
        from api.models import DEFAULT_SCOPES

        allowed = DEFAULT_SCOPES[client.kind]
        self.fields["scopes"].choices = [(s, Scope(s).label) for s in allowed]
        self.fields["scopes"].initial = list(allowed)
        self.fields["token"].initial = secrets.token_urlsafe(24)
        self.prefix = f"key-{client.pk}"

    @property
    def token_value(self) -> str:
        """The token the form is shown with: the one posted (still unused when the form comes
        back with errors), else a fresh one."""
        posted = self.data.get(self.add_prefix("token")) if self.is_bound else None
        return posted or self.fields["token"].initial

    def clean(self):
        data = super().clean()
        if not data.get("token"):
            raise forms.ValidationError(
                _(
                    "This form is out of date: no key was issued. Fill it in again and issue "
                    "the key."
                )
            )
        return data
