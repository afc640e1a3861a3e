"""Forms of the customer portal. Every message is translatable and says what to do."""

import datetime as dt
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.forms import MultipleFileField
from claims.models import EvidenceKind, IncidentKind, LossKind
from claims.money import (
    MoneyError,
    amount_input,
    currency_signs,
    exponent,
    format_minor,
    to_minor,
)
from claims.uploads import MAX_FILES_PER_CLAIM, upload_problems_add
from claims_site.bounds import whole_number_field

MAX_DESCRIPTION = 5000


class SignInForm(forms.Form):
    order_number = forms.CharField(
        label=_("Order number"),
        max_length=40,
        help_text=_("As shown in your order confirmation, for example 112-0000001-0000001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("E-mail address on the order"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class LinePickForm(forms.Form):
    line = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose the item that caused the harm.")},
    )


class IncidentForm(forms.Form):
    incident_date = forms.DateField(
        label=_("When did it happen?"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the date of the incident."),
            "invalid": _("Enter the date as year-month-day, for example 2026-05-31."),
        },
    )
    incident_kind = forms.ChoiceField(
        label=_("What was harmed?"),
        choices=IncidentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether a person, property or both were harmed.")},
    )
    description = forms.CharField(
        label=_("What happened?"),
        help_text=_("In your own words: what the product did, and what was hurt or damaged."),
        min_length=20,
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": _("Tell us what happened."),
            "min_length": _("Please tell us a little more (at least %(limit_value)d characters)."),
        },
    )
    people_injured = whole_number_field(
        minimum=0,
        maximum=99,
        label=_("How many people were hurt?"),
        initial=0,
        help_text=_("Enter 0 if nobody was hurt."),
        error_messages={"required": _("Enter how many people were hurt (0 if nobody).")},
    )

    def clean(self):
        data = super().clean()
        kind, hurt = data.get("incident_kind"), data.get("people_injured")
        if kind in (IncidentKind.PERSONAL_INJURY, IncidentKind.BOTH) and hurt == 0:
            self.add_error(
                "people_injured", _("You said a person was hurt: enter how many people.")
            )
        if kind == IncidentKind.PROPERTY_DAMAGE and hurt:
            self.add_error(
                "incident_kind",
                _("You said people were hurt: choose “Personal injury” or “both”."),
            )
        return data

    def as_draft(self) -> dict:
        data = self.cleaned_data
        return {
            "incident_date": data["incident_date"].isoformat(),
            "incident_kind": data["incident_kind"],
            "description": data["description"].strip(),
            "people_injured": data["people_injured"],
        }

    @staticmethod
    def initial_from(draft: dict) -> dict:
        return dict(draft.get("incident") or {})


def incident_date_of(draft: dict) -> dt.date | None:
    value = (draft.get("incident") or {}).get("incident_date")
    return dt.date.fromisoformat(value) if value else None


class LossesForm(forms.Form):
    """One row per kind of loss the program covers; leave a row empty if it does not apply."""

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        step = "1" if exponent(currency) == 0 else f"0.{'0' * (exponent(currency) - 1)}1"
        for kind, label in LossKind.choices:
            self.fields[f"amount_{kind}"] = forms.CharField(
                label=_("%(kind)s, in %(currency)s") % {"kind": label, "currency": currency},
                required=False,
                max_length=20,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "data-step": step}
                ),
            )
            self.fields[f"note_{kind}"] = forms.CharField(
                label=_("Details (optional)"),
                required=False,
                max_length=200,
            )

    def rows(self):
        return [
            (label, self[f"amount_{kind}"], self[f"note_{kind}"])
            for kind, label in LossKind.choices
        ]

    def clean(self):
        data = super().clean()
        losses = []
        for kind, _label in LossKind.choices:
            raw = (data.get(f"amount_{kind}") or "").strip()
            if not raw:
                continue
            try:
                minor = to_minor(raw, self.currency)
            except MoneyError as exc:
                # Says how it was read, or that it has too many decimals, in the reader's way.
                self.add_error(f"amount_{kind}", str(exc))
                continue
            if minor < 0:
                self.add_error(f"amount_{kind}", _("Amounts cannot be negative."))
                continue
            losses.append(
                {"kind": kind, "amount_minor": minor, "description": data.get(f"note_{kind}", "")}
            )
        if not losses and not self.errors:
            raise forms.ValidationError(_("Enter the amount of at least one loss."))
        data["losses"] = losses
        return data

    def amounts_total_minor(self) -> int:
        """The sum of the amounts on the page that read as amounts (typed, kept or pre-filled):
        the running total, shown as the page is drawn and kept up to date by
        ``static/js/losses-total.js`` while typing."""
        total = 0
        for kind, _label in LossKind.choices:
            name = f"amount_{kind}"
            raw = self[name].value() if self.is_bound else self.initial.get(name, "")
            try:
                minor = to_minor(str(raw or "").strip() or "0", self.currency)
            except MoneyError:
                continue
            total += max(minor, 0)
        return total

    def total_display(self) -> str:
        return format_minor(self.amounts_total_minor(), self.currency)

    def signs_json(self) -> str:
        """The currency signs the parser accepts, for the running total's script."""
        return json.dumps(currency_signs(self.currency), ensure_ascii=False)

    @staticmethod
    def initial_from(
        draft: dict, currency: str, *, purchase_price_minor: int | None = None
    ) -> dict:
        """The amounts kept in the draft; before any were, the purchase price of the order line
        (``purchase_price_minor``), which the customer may change or clear."""
        initial = {}
        losses = draft.get("losses") or []
        if not losses and purchase_price_minor:
            losses = [{"kind": LossKind.PURCHASE_PRICE, "amount_minor": purchase_price_minor}]
        for loss in losses:
            initial[f"amount_{loss['kind']}"] = amount_input(loss["amount_minor"], currency)
            initial[f"note_{loss['kind']}"] = loss.get("description", "")
        return initial


class EvidenceForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_(
            "Photos of the product and of the injury or damage, medical bills, receipts, reports."
        ),
    )
    kind = forms.ChoiceField(label=_("What do these files show?"), choices=EvidenceKind.choices)

    def __init__(self, *args, require_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_files = require_files

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if self.require_files and not files:
            raise forms.ValidationError(_("Choose at least one file."))
        if len(files) > MAX_FILES_PER_CLAIM:
            raise forms.ValidationError(
                _("Send at most %(n)d files at once.") % {"n": MAX_FILES_PER_CLAIM}
            )
        return files


class DeclarationsForm(forms.Form):
    """Each declaration is a checkbox before its own sentence (``portal/_check.html``), so its
    accessible name is exactly that sentence."""

    declare_true = forms.BooleanField(
        label=_("What I have told you is true and complete, to the best of my knowledge."),
        error_messages={"required": _("Please confirm that what you told us is true.")},
    )
    declare_share = forms.BooleanField(
        label=_(
            "The marketplace may share this claim with the seller, the seller's insurer and "
            "independent claims adjusters to assess it."
        ),
        error_messages={"required": _("We need your agreement to share the claim to assess it.")},
    )
    declare_covered = forms.BooleanField(
        label=_(
            "I understand that the program covers the purchase price, medical bills, lost "
            "earnings and property damage, and not pain and suffering or punitive damages."
        ),
        error_messages={"required": _("Please confirm that you understand what is covered.")},
    )


class AnswerForm(forms.Form):
    message = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your answer to our question.")},
    )
    files = MultipleFileField(label=_("Files (optional)"), required=False)
    kind = forms.ChoiceField(
        label=_("What do these files show?"),
        choices=EvidenceKind.choices,
        initial=EvidenceKind.OTHER,
    )

    def clean(self):
        data = super().clean()
        upload_problems_add(self, "files")
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("Yes, withdraw this claim. I understand this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm that you want to withdraw.")},
    )


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why should we change our decision?"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Tell us why the decision should change.")},
    )


class PartyPaymentAnswerForm(forms.Form):
    received = forms.ChoiceField(
        choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("If it has not arrived, what do you see?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def today_in_zone() -> dt.date:
    return timezone.localdate()
