"""Forms of the staff areas (Decisions, Money, Sellers): parse and validate, nothing else.

Each form names the work (its submit buttons say what they do); the rules live in the services
the views call, and a refusal comes back on the same page with what was typed.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from payouts.bank_details import ROUTING_NOT_VALID
from payouts.forms import BankDetailsForm
from payouts.models import QAReason, QAVerdict


class SecondApprovalForm(forms.Form):
    """Approve (sign) or reject a pending approval request; rejecting needs a note."""

    DECISIONS = [
        ("approve", _("Approve as second approver: the claim is approved as shown")),
        ("reject", _("Reject: the claim goes back for a new decision")),
    ]
    decision = forms.ChoiceField(
        label=_("Your decision"), choices=DECISIONS, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note (required to reject; kept on the decision)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why you reject the approval."))
        return data


class QAReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Was the automatic approval right?"),
        choices=[c for c in QAVerdict.choices if c[0]],
        widget=forms.RadioSelect,
    )
    reason = forms.ChoiceField(
        label=_("Why it was wrong (when wrong)"), choices=QAReason.choices, required=False
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def clean(self):
        data = super().clean()
        if data.get("verdict") == QAVerdict.WRONG and not data.get("reason"):
            self.add_error("reason", _("Say why the approval was wrong."))
        return data


STAFF_HELP = {
    "routing_number": _("9 digits, from the customer's cheque or bank statement."),
    "transit_number": _("5 digits: the customer's branch."),
    "institution_number": _("3 digits: the customer's bank."),
    "bic": _("Optional when the bank can be found from the IBAN."),
}


class PayeeChangeRequestForm(BankDetailsForm):
    """The same checks as the customer's page, and why staff want the change."""

    # Staff are not the account holder: the same refusal, said to them.
    reworded = {
        ROUTING_NOT_VALID: _(
            "This routing number is not valid: check the 9 digits with the customer."
        ),
    }

    def __init__(self, *args, scheme: str, **kwargs):
        super().__init__(*args, scheme=scheme, **kwargs)
        # The help of the customer's page speaks to the account holder; here, to staff.
        for name, help_text in STAFF_HELP.items():
            if name in self.fields:
                self.fields[name].help_text = help_text
        self.fields["reason"] = forms.CharField(
            label=_("Why the change (the second approver and the customer's timeline see it)"),
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )


class PayeeChangeDecisionForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve as second staff member: the new details take effect")),
        ("reject", _("Reject: nothing changes")),
    ]
    decision = forms.ChoiceField(
        label=_("Your decision"), choices=DECISIONS, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note (required to reject)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why you reject the change."))
        return data


class ButtonsForm(forms.Form):
    """A form of buttons only (a new seller link: e-mailed, or shown once): nothing is typed,
    but a refusal of the action comes back through the page's error summary, as every staff
    form's does."""


class PayoutActionForm(forms.Form):
    """Resend, cancel or record a return: each says why, on the claim's timeline."""

    reason = forms.CharField(
        label=_("Why (kept on the claim's timeline)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("uphold", _("Uphold the appeal: waive the recovery")),
            ("reject", _("Reject the appeal: withholding resumes")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Explanation for the seller"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class OverruleForm(forms.Form):
    expected_status = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why the seller's rejection is overruled (kept on the timeline)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )
