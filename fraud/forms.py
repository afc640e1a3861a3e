from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from claims_site.bounds import bounded_date_field, whole_number_field, whole_number_help
from claims_site.widgets import WholeNumberInput
from fraud.models import AttributeKind, FraudLabel, Recommendation
from fraud.referrals import REFERRAL_DAYS


def fraud_label_field() -> forms.ChoiceField:
    """The analyst's label of a fraud decision, on the fraud case and the workspace's referral.
    No default: a preset label would be recorded for whoever did not look (and would contradict
    whichever decision it does not fit); left empty, it says what to do."""
    return forms.ChoiceField(
        label=_("Label"),
        choices=[("", _("Choose a label…")), *FraudLabel.choices],
        error_messages={"required": _("Choose a label for this case.")},
    )


class DecisionForm(forms.Form):
    ACTIONS = [
        ("clear", _("Clear: release the hold")),
        ("confirm", _("Confirm fraud: deny the claim")),
        ("refer", _("Refer to an external adjuster")),
    ]
    action = forms.ChoiceField(label=_("Decision"), choices=ACTIONS, widget=forms.RadioSelect)
    label = fraud_label_field()
    note = forms.CharField(label=_("Note (internal)"), widget=forms.Textarea(attrs={"rows": 3}))
    explanation = forms.CharField(
        label=_("Explanation for the customer (when confirming fraud)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    watchlist_kinds = forms.MultipleChoiceField(
        label=_("Add to the watchlist (when confirming fraud)"),
        choices=AttributeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    adjuster_email = forms.EmailField(label=_("Adjuster's e-mail (when referring)"), required=False)
    due_days = whole_number_field(
        minimum=1,
        maximum=60,
        label=_("Report due in days (when referring)"),
        initial=REFERRAL_DAYS,
        required=False,
    )

    def clean(self):
        """A decision and its label must agree, and each decision has what it needs: every
        problem at once, beside its field; nothing is recorded until they are fixed."""
        from fraud.services import fraud_label_problem

        data = super().clean()
        action, label = data.get("action"), data.get("label")
        if action and label:
            problem = fraud_label_problem(decision=action, label=label)
            if problem:
                self.add_error("label", problem)
        if action == "confirm" and not (data.get("explanation") or "").strip():
            self.add_error(
                "explanation",
                _("Write the explanation the customer reads when fraud is confirmed."),
            )
        missing_email = not data.get("adjuster_email") and "adjuster_email" not in self.errors
        if action == "refer" and missing_email:
            self.add_error("adjuster_email", _("Enter the adjuster's e-mail address."))
        if action != "confirm" and data.get("watchlist_kinds"):
            self.add_error(
                "watchlist_kinds", _("Only confirming fraud puts the claim's details on watch.")
            )
        return data


def analysts():
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(groups__permissions__codename="review_fraud")
            | Q(user_permissions__codename="review_fraud")
            | Q(is_superuser=True)
        )
        .distinct()
        .order_by("username")
    )


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=None,
        required=False,
        empty_label=_("Nobody (back to the queue)"),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = analysts()


class WatchlistForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttributeKind.choices)
    # Each kind's own limit is checked in clean() (``WATCH_MAX_LENGTH``); 300 is the longest.
    value = forms.CharField(label=_("Value"), widget=forms.TextInput(attrs={"maxlength": 300}))
    reason = forms.CharField(label=_("Reason"), max_length=300)
    expires_on = bounded_date_field(
        past_years=0,
        label=_("Expires on (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        """The value checked for its kind (``fraud.services.watchlist_value``) beside the value,
        together with every other problem."""
        from fraud.services import FraudError, watchlist_value

        data = super().clean()
        if data.get("kind") and data.get("value"):
            try:
                watchlist_value(kind=data["kind"], value=data["value"])
            except FraudError as exc:
                self.add_error("value", str(exc))
        return data


class RuleForm(forms.Form):
    """A rule's weight, switch and one labelled field per parameter it takes (named and
    bounded by ``fraud.rules.PARAMS``). Each value is checked by the service's own check
    (``fraud.services.rule_params_problems``) and every problem shown beside its field.

    Stored parameters the rule no longer takes are listed (``unused``) and left out on save:
    the rule never reads them. ``unchanged`` says, once validated, that the values sent are what
    the rule already is (``fraud.services.rule_unchanged``), whatever the reason says: then
    there is nothing to save, and nothing to fix."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    weight = whole_number_field(minimum=0, maximum=100, label=_("Weight (points)"))
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    reason = forms.CharField(label=_("Why this change"), max_length=300)

    def __init__(self, *args, rule, **kwargs):
        from fraud.rules import PARAMS, params_shown, params_taken

        super().__init__(*args, **kwargs)
        self.rule, self.code = rule, rule.code
        self.unchanged = False
        takes = params_taken(rule.code)
        stored = rule.params if isinstance(rule.params, dict) else {}
        current = {**takes, **stored}  # as scoring reads them
        self.unused = params_shown({k: v for k, v in stored.items() if k not in takes})
        self.param_fields = {}
        for key in takes:
            name = f"param_{key}"
            self.fields[name] = param_field(PARAMS[key], current[key])
            self.param_fields[key] = name
        self.order_fields(["version", "weight", *self.param_fields.values(), "enabled"])

    def clean(self):
        from fraud.services import rule_params_problems, rule_unchanged

        data = super().clean()
        params = {}
        for key, name in self.param_fields.items():
            if name not in self.errors:
                params[key] = data[name]
        for key, problem in rule_params_problems(code=self.code, params=params).items():
            self.add_error(self.param_fields.get(key), problem)
        if not self.errors:
            data["params"] = params
        if not set(self.errors) - {"reason", "version"}:
            self.unchanged = rule_unchanged(
                rule=self.rule, weight=data["weight"], params=params, enabled=data["enabled"]
            )
        return data


def param_field(param, initial) -> forms.Field:
    """The form field for one rule parameter: ticks for a list of choices, else a whole number
    with the bounds as the browser's hints (the bounds themselves are checked by the service)."""
    if param.choices:
        return forms.MultipleChoiceField(
            label=param.label,
            choices=param.choices,
            required=False,  # "none" is the service's to refuse, beside the field
            initial=initial if isinstance(initial, list) else [],
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.IntegerField(
        label=param.label,
        initial=initial,
        help_text=whole_number_help(param.minimum, param.maximum),
        widget=WholeNumberInput,
    )


class PeriodForm(forms.Form):
    since = bounded_date_field(
        past_years=20,
        future_years=1,
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = bounded_date_field(
        past_years=20,
        future_years=1,
        label=_("Until (inclusive)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("The start of the period must be before its end."))
        return data


class AdjusterReportForm(forms.Form):
    # Empty files reach the upload policy, whose message names the file (as on every path).
    report = forms.FileField(label=_("Your report (PDF or image)"), allow_empty_file=True)
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("Summary of findings"), widget=forms.Textarea(attrs={"rows": 4})
    )
