"""Forms of product safety: the incident facts (the customer's wizard and staff corrections),
staff moves, the report draft and filing, recall imports. Every message says what to do."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.uploads import size_problem
from safety.models import AlertStatus, ChildHurt, Hazard, MedicalCare, RecallSource, Regulator
from safety.reports import FIELDS

YES_NO = [("no", _("No")), ("yes", _("Yes"))]


class IncidentFactsForm(forms.Form):
    """Asked of the customer with "What happened?", and shown to staff to correct."""

    hazard = forms.ChoiceField(
        label=_("What did the product do?"),
        choices=Hazard.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the product did (or “Other”).")},
    )
    medical_care = forms.ChoiceField(
        label=_("What was the most serious medical care anyone needed?"),
        choices=MedicalCare.choices,
        widget=forms.RadioSelect,
        initial=MedicalCare.NONE,
        error_messages={
            "required": _("Choose the most serious medical care (or “No medical care”).")
        },
    )
    death = forms.ChoiceField(
        label=_("Did anyone die?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        error_messages={"required": _("Tell us whether anyone died.")},
    )
    child_hurt = forms.ChoiceField(
        label=_("Was a child hurt?"),
        choices=ChildHurt.choices,
        widget=forms.RadioSelect,
        initial=ChildHurt.NONE,
        error_messages={"required": _("Tell us whether a child was hurt.")},
    )
    product_model = forms.CharField(
        label=_("Model of the product (if you know it)"),
        help_text=_("Usually on a label under or behind the product, for example HT-1500."),
        required=False,
        max_length=100,
    )
    batch_serial = forms.CharField(
        label=_("Batch or serial number (if you know it)"), required=False, max_length=100
    )
    kept_for_inspection = forms.ChoiceField(
        label=_("Do you still have the product, so it can be inspected?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
        error_messages={"required": _("Tell us whether you still have the product.")},
    )

    def __init__(self, *args, people_injured: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.people_injured = people_injured

    def clean(self):
        data = super().clean()
        hurt = (
            data.get("medical_care") not in (None, MedicalCare.NONE)
            or data.get("death") == "yes"
            or data.get("child_hurt") not in (None, ChildHurt.NONE)
        )
        if self.people_injured == 0 and hurt:
            self.add_error(
                "medical_care",
                _(
                    "You said nobody was hurt: change that above, or choose “No medical care”, "
                    "no death and no child hurt."
                ),
            )
        return data

    def as_facts(self) -> dict:
        data = self.cleaned_data
        return {
            "hazard": data["hazard"],
            "medical_care": data["medical_care"],
            "death": data["death"] == "yes",
            "child_hurt": data["child_hurt"],
            "product_model": data["product_model"].strip(),
            "batch_serial": data["batch_serial"].strip(),
            "kept_for_inspection": data["kept_for_inspection"] == "yes",
        }

    @staticmethod
    def initial_from(facts: dict | None) -> dict:
        if not facts:
            return {}
        return {
            **facts,
            "death": "yes" if facts.get("death") else "no",
            "kept_for_inspection": "yes" if facts.get("kept_for_inspection") else "no",
        }

    @staticmethod
    def summary(facts: dict) -> list[tuple[str, str]]:
        """The answers as (question, answer) pairs, for the customer to check."""
        yes_no = dict(YES_NO)
        return [
            (_("What the product did"), dict(Hazard.choices).get(facts["hazard"], "")),
            (_("Most serious medical care"), dict(MedicalCare.choices)[facts["medical_care"]]),
            (_("Someone died"), yes_no["yes" if facts["death"] else "no"]),
            (_("A child was hurt"), dict(ChildHurt.choices)[facts["child_hurt"]]),
            (_("Model"), facts["product_model"] or "—"),
            (_("Batch or serial number"), facts["batch_serial"] or "—"),
            (
                _("Product kept for inspection"),
                yes_no["yes" if facts["kept_for_inspection"] else "no"],
            ),
        ]

    @staticmethod
    def initial_from_row(row) -> dict:
        return IncidentFactsForm.initial_from(
            {
                "hazard": row.hazard,
                "medical_care": row.medical_care,
                "death": row.death,
                "child_hurt": row.child_hurt,
                "product_model": row.product_model,
                "batch_serial": row.batch_serial,
                "kept_for_inspection": row.kept_for_inspection,
            }
        )


class AlertMoveForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Mark as"),
        choices=[
            (AlertStatus.INVESTIGATING, AlertStatus.INVESTIGATING.label),
            (AlertStatus.DISMISSED, AlertStatus.DISMISSED.label),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (needed to dismiss)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, moves=None, **kwargs):
        """``moves``: the statuses this alert may become now (only those are offered)."""
        super().__init__(*args, **kwargs)
        if moves is not None:
            self.fields["to"].choices = [(m, AlertStatus(m).label) for m in moves]

    def clean(self):
        from safety.services import alert_move_problem

        data = super().clean()
        if data.get("to"):
            problem = alert_move_problem(to=data["to"], reason=data.get("reason") or "")
            if problem:
                self.add_error("reason", problem)
        return data


class ReportDraftForm(forms.Form):
    """One field per entry of the regulator's form, pre-filled; staff complete and correct."""

    def __init__(self, *args, form: str, values: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for spec in FIELDS[form]:
            self.fields[spec.code] = forms.CharField(
                label=spec.label,
                required=False,
                max_length=10_000,
                initial=values.get(spec.code, ""),
                widget=forms.Textarea(attrs={"rows": 4 if spec.multiline else 2}),
                help_text=_("Required before filing.") if spec.required else "",
            )


class FileReportForm(forms.Form):
    reference = forms.CharField(
        label=_("Regulator's reference"),
        max_length=100,
        error_messages={"required": _("Give the reference the regulator gave the report.")},
    )
    sent_at = forms.DateTimeField(
        label=_("When the report went out (your time)"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Give the date and time the report went out."),
            "invalid": _("Enter the date and time as year-month-day hours:minutes."),
        },
    )

    @staticmethod
    def initial() -> dict:
        return {"sent_at": timezone.localtime().replace(second=0, microsecond=0)}


class RecallImportForm(forms.Form):
    source = forms.ChoiceField(label=_("Format"), choices=RecallSource.choices)
    regulator = forms.ModelChoiceField(
        label=_("Regulator that published the list"),
        queryset=Regulator.objects.all(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose a regulator from the list.")},
    )
    file = forms.FileField(
        label=_("Recall file"),
        error_messages={"required": _("Choose the recall file to import.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The project's one upload limit, and its message (claims.uploads).
        if problem := size_problem(upload.size):
            raise forms.ValidationError(problem)
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
