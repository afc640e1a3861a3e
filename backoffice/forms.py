"""Forms of the staff pages: parse and validate, nothing else."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backoffice.exceptions import BackofficeError, BulkRefused
from backoffice.services import Recipient, assignee_refusal, bulk_action_checked, tag_clean
from claims.forms import MultipleFileField
from claims.models import ClaimStatus, DenialReason, EvidenceKind, Funding
from claims.money import MoneyError, amount_input, to_minor
from claims.uploads import ALLOWED_DESCRIPTION, MAX_FILES_PER_CLAIM, upload_problems_add
from claims_site import widgets
from claims_site.bounds import whole_number_field
from claims_site.widgets import FORM_RENDERER
from fraud.forms import fraud_label_field
from fraud.referrals import REFERRAL_DAYS


class MoveForm(forms.Form):
    """Every status move carries the status the person saw: if the claim moved meanwhile, the
    move is refused rather than applied to a state they never looked at."""

    expected_status = forms.ChoiceField(choices=ClaimStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason (kept on the timeline)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class RequestInfoForm(MoveForm):
    reason = forms.CharField(
        label=_("What do you need from the customer? (sent to them by e-mail)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class OverruleForm(MoveForm):
    reason = forms.CharField(
        label=_("Why the seller's rejection is overruled (kept on the timeline)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class FraudHoldForm(MoveForm):
    reason = forms.CharField(
        label=_("What looks wrong (for the analyst; kept on the timeline)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class ReferForm(MoveForm):
    adjuster_email = forms.EmailField(label=_("Adjuster's e-mail"))
    label = fraud_label_field()
    due_days = whole_number_field(
        minimum=1,
        maximum=60,
        label=_("Report due in days"),
        initial=REFERRAL_DAYS,
    )
    reason = forms.CharField(
        label=_("Note (internal)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )


class DenyForm(MoveForm):
    reason_code = forms.ChoiceField(label=_("Reason"), choices=[("", "—")] + DenialReason.choices)
    reason = forms.CharField(
        label=_("Explanation for the customer"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
    )


class ApproveForm(MoveForm):
    """Amounts per loss item. Funding follows the policy (shown beside the form); a person with
    ``claims.override_funding`` may fund the claim otherwise, with a written reason."""

    funding = forms.ChoiceField(
        label=_("Fund otherwise than the policy says"),
        choices=[("", _("No: as the policy says"))] + [c for c in Funding.choices if c[0]],
        required=False,
    )
    funding_reason = forms.CharField(
        label=_("Why (required to fund otherwise; kept on the decision)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args, claim, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim
        if not user.has_perm("claims.override_funding"):
            del self.fields["funding"]
            del self.fields["funding_reason"]
        self.fields["reason"].label = _("Note (kept on the timeline)")
        for item in claim.losses.all():
            self.fields[f"loss_{item.pk}"] = forms.CharField(
                label=_("%(kind)s (claimed %(amount)s)")
                % {"kind": item.get_kind_display(), "amount": item.claimed_display},
                initial=amount_input(item.claimed_minor, item.currency),
                max_length=20,
            )
            self.fields[f"why_{item.pk}"] = forms.CharField(
                label=_("%(kind)s: why less than claimed (the customer reads it)")
                % {"kind": item.get_kind_display()},
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def clean(self):
        """Every problem at once, each beside its loss item: an amount that does not parse,
        one above what was claimed, a reduction without the reason the customer reads. The
        rules are the decision services' own (``approved_amount_problem``,
        ``reduction_unexplained``), which check them again when the form is acted on."""
        from claims.services import approved_amount_problem
        from payouts.services.decisions import reduction_unexplained

        data = super().clean()
        items = list(self.claim.losses.all())
        approved = {}
        for item in items:
            raw = data.get(f"loss_{item.pk}")
            if raw is None:
                continue
            try:
                approved[item.pk] = to_minor(raw.strip(), item.currency)
            except MoneyError as exc:
                self.add_error(f"loss_{item.pk}", str(exc) or _("Enter an amount."))
        reasons = {item.pk: (data.get(f"why_{item.pk}") or "").strip() for item in items}
        for item in items:
            if item.pk not in approved:
                continue
            problem = approved_amount_problem(item=item, amount=approved[item.pk])
            if problem:
                self.add_error(f"loss_{item.pk}", problem)
            elif reduction_unexplained(item=item, approved=approved, reasons=reasons):
                self.add_error(
                    f"why_{item.pk}",
                    _("Say why less than claimed is approved for %(kind)s; the customer reads it.")
                    % {"kind": item.get_kind_display()},
                )
        data["approved"] = approved
        data["reasons"] = reasons
        data["funding"] = data.get("funding") or None
        data.setdefault("funding_reason", "")
        return data


def staff_member_named(name: str):
    """The active user called ``name`` (as typed, spaces around it dropped), None for an empty
    name; a name nobody active has is refused. The workspace's and the bulk assignment's rule."""
    name = name.strip()
    if not name:
        return None
    user = get_user_model().objects.filter(username=name, is_active=True).first()
    if user is None:
        raise forms.ValidationError(_("No active staff member is called “%(n)s”.") % {"n": name})
    return user


def refusal_as_error(rule, *args, **kwargs):
    """A service's own rule run on a form's value: its refusal (``BackofficeError``) becomes
    the field's error, said beside it; the service checks again when the form is acted on."""
    try:
        return rule(*args, **kwargs)
    except BackofficeError as exc:
        raise forms.ValidationError(str(exc)) from exc


class WorkspaceForm(forms.Form):
    """A form every claim workspace shows (note, message, tag, assignment), rendered by
    Django's Jinja2 form renderer with Django's own Jinja2 form templates: the same markup as
    the template language's (``tests/backoffice/test_workspace.py`` holds them equal), in
    about half the time (0.9 ms of a workspace request's 23, issue 13's ``staff_load``).

    Each has ids of its own (``note_text``, ``message_text``): two of them have a ``text``
    field, and a label, an error or ``aria-describedby`` must name one element. Their lengths
    are checked when sent, not by a ``maxlength``: a browser cuts what is pasted beyond it and
    the cut text would be recorded; sent whole, too long is refused and kept."""

    default_renderer = FORM_RENDERER
    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)


class NoteForm(WorkspaceForm):
    id_prefix = "note"
    text = forms.CharField(
        label=_("Internal note (staff only)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("A note cannot be empty.")},
    )


class MessageForm(WorkspaceForm):
    id_prefix = "message"
    to = forms.ChoiceField(
        label=_("To"),
        choices=[(Recipient.CUSTOMER, _("Customer")), (Recipient.SELLER, _("Seller"))],
        error_messages={"required": _("Choose who the message is for.")},
    )
    text = forms.CharField(
        label=_("Message (sent by e-mail, shown on their page)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={"required": _("A message cannot be empty.")},
    )


class AssignForm(WorkspaceForm):
    """Who gets the claim, and why: the name is refused beside it when nobody active has it or
    when the claim may not go to them (``assignee_refusal``, ``claim_reassign``'s rule)."""

    id_prefix = "assign"
    assignee = forms.CharField(label=_("Assign to (user name, empty to release)"), required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        error_messages={"required": _("Give a reason for the assignment.")},
    )

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim

    def clean_assignee(self):
        user = staff_member_named(self.cleaned_data["assignee"])
        if self.claim is not None:
            refusal = assignee_refusal(claim=self.claim, assignee=user)
            if refusal:
                raise forms.ValidationError(refusal)
        return user


class TagForm(WorkspaceForm):
    id_prefix = "tag"
    # No max_length: the length is tag_clean's rule (a maxlength would cut what is typed).
    name = forms.CharField(label=_("Tag"), required=False)

    def clean_name(self):
        return refusal_as_error(tag_clean, self.cleaned_data["name"])


class EvidenceAddForm(forms.Form):
    """Files staff received (by post, by e-mail) for a claim, and what they are. Every problem
    is named at its field at once: no file or too many, no kind, and (when the form is refused
    anyway) what the upload policy says of each file; the service decides the rest."""

    files = MultipleFileField(label=_("Files"), required=False)
    kind = forms.ChoiceField(
        label=_("What are they?"),
        choices=[("", _("Choose…")), *EvidenceKind.choices],
        error_messages={"required": _("Choose what the files are.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the reader's language: made per form, not when the module loads.
        self.fields["files"].help_text = "{}. {}".format(
            ALLOWED_DESCRIPTION,
            gettext("At most %(n)d files at once.") % {"n": MAX_FILES_PER_CLAIM},
        )

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        if not files:
            raise forms.ValidationError(_("Choose at least one file."))
        if len(files) > MAX_FILES_PER_CLAIM:
            raise forms.ValidationError(
                _("Send at most %(n)d files at once.") % {"n": MAX_FILES_PER_CLAIM}
            )
        return files

    def clean(self):
        data = super().clean()
        upload_problems_add(self, "files")
        return data


class BulkForm(forms.Form):
    """One action on the claims ticked in the queue. What the action needs is checked here by
    the service's own rule (``bulk_action_checked``, the assignee named by
    ``staff_member_named``) and said beside its field; what concerns the claims ticked (none,
    too many) or the action as a whole (no permission) is said in the form's summary: the boxes
    are the table's."""

    ACTIONS = [
        ("assign", _("Assign to")),
        ("assign_me", _("Assign to me")),
        ("request_info", _("Request information")),
        ("tag", _("Add tag")),
    ]
    default_renderer = FORM_RENDERER  # the queue's widgets (claims_site/widgets.py)
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", "—")] + ACTIONS,
        widget=widgets.Select,
        error_messages={"required": _("Choose an action.")},
    )
    claims = forms.TypedMultipleChoiceField(
        coerce=int, choices=[], label=_("Claims"), required=False
    )
    assignee = forms.CharField(
        label=_("Assignee (user name)"),
        required=False,
        widget=widgets.TextInput(attrs={"size": 10}),
    )
    message = forms.CharField(
        label=_("Message to each customer"), required=False, widget=widgets.TextInput
    )
    tag = forms.CharField(  # its rule: tag_clean
        label=_("Tag"), required=False, widget=widgets.TextInput(attrs={"size": 10})
    )
    # Offered to whom the service would let do it (it refuses the others all the same).
    NEEDS = {"assign": "backoffice.assign_claims", "assign_me": "claims.transition_claim"}
    NEEDS["request_info"] = NEEDS["assign_me"]

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.user = user
        # Any ids are accepted here; the view keeps only the claims the user may see.
        raw = self.data.getlist("claims") if hasattr(self.data, "getlist") else []
        self.fields["claims"].choices = [(v, v) for v in raw]
        self.fields["action"].widget.choices = [
            (key, label)
            for key, label in self.fields["action"].choices
            if key not in self.NEEDS or user.has_perm(self.NEEDS[key])
        ]

    def ticked(self) -> set[int]:
        """The claims ticked when the form was sent (kept ticked when it comes back)."""
        return set(self.cleaned_data.get("claims") or []) if self.is_bound else set()

    def clean(self):
        data = super().clean()
        ids = data.get("claims")
        if ids is not None and not ids:
            self.add_error(None, _("Tick the claims to act on."))
        elif ids and len(ids) > 200:
            self.add_error(None, _("Select at most 200 claims at a time."))
        action = data.get("action")
        if not action:
            return data
        if action == "assign":
            try:
                named = staff_member_named(data.get("assignee", ""))
            except forms.ValidationError as exc:
                self.add_error("assignee", exc)
                return data
            raw = str(named.pk) if named else ""
        else:
            raw = data.get({"request_info": "message", "tag": "tag"}.get(action, ""), "")
        try:
            checked = bulk_action_checked(user=self.user, action=action, value=raw)
        except BulkRefused as exc:
            self.add_error(exc.field, str(exc))
            return data
        if action in ("assign", "tag"):
            data["assignee" if action == "assign" else "tag"] = checked
        return data

    def value(self) -> str:
        action = self.cleaned_data["action"]
        if action == "assign":
            return str(self.cleaned_data["assignee"].pk)
        if action == "request_info":
            return self.cleaned_data["message"]
        if action == "assign_me":
            return ""
        return self.cleaned_data["tag"]
