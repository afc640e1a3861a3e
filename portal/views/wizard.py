"""The filing wizard: item → what happened → losses → evidence → review and submit.

Plain HTML forms (no JavaScript needed). What the customer enters is kept in the session's
draft, so going back, or a step that fails, never loses it. Nothing is written to a claim
until the last step, which files the claim and its files in one all-or-nothing service call.
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from claims.duplicates import Held, duplicate_reasons
from claims.exceptions import ClaimError
from claims.models import EvidenceKind, IncidentKind, LossKind
from claims.money import exponent, format_minor
from claims.services import LossInput
from claims.uploads import (
    ALLOWED_TYPES,
    MAX_FILE_BYTES,
    MAX_FILES_PER_CLAIM,
    evidence_check_each,
    upload_read,
)
from claims_site.ratelimit import client_ip
from portal.drafts import (
    WizardItem,
    draft_drop,
    draft_file_delete,
    draft_file_keep,
    draft_get,
    draft_put,
)
from portal.forms import (
    DeclarationsForm,
    EvidenceForm,
    IncidentForm,
    LossesForm,
    incident_date_of,
)
from portal.limits import submission_limited, upload_limited
from portal.selectors import customer_order_line, customer_orders
from portal.services import claim_submit
from portal.session import customer_required, device_cookie_set, device_id
from portal.steps import step_links, step_reasons
from safety.forms import IncidentFactsForm


def limits_context() -> dict:
    return {
        "allowed_types": ALLOWED_TYPES,
        "max_mb": MAX_FILE_BYTES // (1024 * 1024),
        "max_files": MAX_FILES_PER_CLAIM,
    }


def _context(request, item: WizardItem, step: str, **extra) -> dict:
    return {"item": item, "steps": step_links(step), "step": step, **extra}


def _guard(request, line, line_id: int, draft: dict, step: str) -> HttpResponse | None:
    """Send the customer back to the first step that still needs an answer."""
    # The item's own rules are checked where the wizard starts; later steps rely on the draft,
    # and the submission re-checks every rule anyway.
    reasons = step_reasons(step="item", line=line) if step == "incident" else []
    if reasons:
        for reason in reasons:
            messages.error(request, reason)
        return redirect("portal:new-claim")
    needs = {"incident": [], "losses": ["incident"], "evidence": ["incident", "losses"]}
    for missing in needs.get(step, ["incident", "losses"]):
        if not draft.get(missing):
            return redirect("portal:wizard", line_id=line_id, step=missing)
    return None


@require_safe
@customer_required
def new_claim(request: HttpRequest) -> HttpResponse:
    """Step 1: pick the item. Items that cannot be claimed for say why, right here."""
    orders = list(customer_orders(customer=request.customer))
    rows = []
    for order in orders:
        for line in order.lines.all():
            rows.append(
                {
                    "order": order,
                    "line": line,
                    "item": WizardItem.of(line),
                    "reasons": step_reasons(step="item", line=line),
                    "open_claim": line.open_claims[0] if line.open_claims else None,
                }
            )
    return render(
        request,
        "portal/wizard_item.html",
        {"rows": rows, "steps": step_links("item"), "step": "item"},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@customer_required
def wizard(request: HttpRequest, line_id: int, step: str) -> HttpResponse:
    view = {
        "incident": _incident,
        "losses": _losses,
        "evidence": _evidence,
        "review": _review,
    }.get(step)
    if view is None:
        raise Http404
    draft = draft_get(request.session, line_id)
    # Pages between two submitted steps render from the draft, which exists only for a line
    # this customer owns. Whatever is submitted, and the first step (it checks the item's
    # rules), reads the line itself, scoped to the customer.
    item = None
    if request.method != "POST" and step != "incident":
        item = WizardItem.from_draft(draft, line_id=line_id, customer_id=request.customer_id)
    line = None
    if item is None:
        line = customer_order_line(customer_id=request.customer_id, line_id=line_id)
        item = WizardItem.of(line)
    guard = _guard(request, line, line_id, draft, step)
    if guard is not None:
        return guard
    return view(request, line, item, draft)


def _typed(request, form) -> dict:
    """What was typed on a step, as typed: kept when *Back* is pressed, right or not yet."""
    return {name: request.POST.get(name, "") for name in form.fields}


def _incident(request, line, item: WizardItem, draft: dict) -> HttpResponse:
    # The product-safety facts (issue 17) are asked on this step, in their own form.
    if request.method == "POST":
        form = IncidentForm(request.POST)
        back = request.POST.get("go") == "back"
        valid = form.is_valid()
        facts_form = IncidentFactsForm(
            request.POST, people_injured=form.cleaned_data.get("people_injured")
        )
        if valid & facts_form.is_valid():
            reasons = step_reasons(
                step="incident", line=line, incident_date=form.cleaned_data["incident_date"]
            )
            if not reasons:
                incident = {**form.as_draft(), "safety": facts_form.as_facts()}
                draft_put(
                    request.session, line, incident=incident, typed_incident=None, typed_facts=None
                )
                if back:
                    return redirect("portal:new-claim")
                return redirect("portal:wizard", line_id=item.line_id, step="losses")
            for reason in reasons:
                form.add_error("incident_date", reason)
        if back:
            draft_put(
                request.session,
                line,
                typed_incident=_typed(request, form),
                typed_facts=_typed(request, facts_form),
            )
            return redirect("portal:new-claim")
    else:
        form = IncidentForm(initial=draft.get("typed_incident") or IncidentForm.initial_from(draft))
        facts_form = IncidentFactsForm(
            initial=draft.get("typed_facts")
            or IncidentFactsForm.initial_from((draft.get("incident") or {}).get("safety"))
        )
    return render(
        request,
        "portal/wizard_incident.html",
        _context(request, item, "incident", form=form, facts_form=facts_form),
    )


def _loss_inputs(draft: dict) -> list[LossInput]:
    return [
        LossInput(
            kind=loss["kind"],
            amount_minor=loss["amount_minor"],
            description=loss.get("description", ""),
        )
        for loss in draft.get("losses") or []
    ]


def _losses(request, line, item: WizardItem, draft: dict) -> HttpResponse:
    currency = item.currency
    if request.method == "POST":
        form = LossesForm(request.POST, currency=currency)
        back = request.POST.get("go") == "back"
        if form.is_valid():
            losses = form.cleaned_data["losses"]
            reasons = step_reasons(
                step="losses",
                line=line,
                incident_date=incident_date_of(draft),
                losses=[LossInput(kind=x["kind"], amount_minor=x["amount_minor"]) for x in losses],
            )
            if not reasons:
                draft_put(request.session, line, losses=losses, typed_losses=None)
                step = "incident" if back else "evidence"
                return redirect("portal:wizard", line_id=item.line_id, step=step)
            for reason in reasons:
                form.add_error(None, reason)
        if back:
            draft_put(request.session, line, typed_losses=_typed(request, form))
            return redirect("portal:wizard", line_id=item.line_id, step="incident")
    else:
        form = LossesForm(
            initial=draft.get("typed_losses")
            or LossesForm.initial_from(draft, currency, purchase_price_minor=item.price_minor),
            currency=currency,
        )
    return render(
        request,
        "portal/wizard_losses.html",
        _context(
            request,
            item,
            "losses",
            form=form,
            currency=currency,
            maximum=format_minor(item.max_claim_minor, currency),
            places=exponent(currency),
        ),
    )


# Where each button of the evidence step goes once the files chosen are kept.
EVIDENCE_GOES_TO = ("evidence", "losses", "review")


def _evidence(request, line, item: WizardItem, draft: dict) -> HttpResponse:
    """One form: *Add these files*, *Remove*, *Back* and *Continue to review* all submit it, so
    files chosen are uploaded whichever button is pressed, before the step is left; a refused
    file keeps the customer on this step with the reason."""
    files = list(draft.get("files") or [])
    form = EvidenceForm(initial={"kind": EvidenceKind.DAMAGE_PHOTO})
    status = 200
    if request.method == "POST":
        go = request.POST.get("go", "evidence")
        go = go if go in EVIDENCE_GOES_TO else "evidence"
        remove = request.POST.get("remove", "")
        added = 0
        # The upload form is read when files were chosen, or by the button that exists to add
        # them (which then says that none were); removing a file or moving on needs no form.
        if request.FILES or (go == "evidence" and not remove):
            form = EvidenceForm(request.POST, request.FILES)
            if upload_limited(request, customer_id=request.customer_id):
                form.is_valid()
                form.add_error(
                    None, _("You have uploaded many files today. Please try again tomorrow.")
                )
                status = 429
            elif form.is_valid():
                added = _evidence_keep(form, files)
            if form.errors:
                return render(
                    request,
                    "portal/wizard_evidence.html",
                    _evidence_context(request, item, form, files),
                    status=429 if status == 429 else 400,
                )
        for gone in (f for f in files if remove and f["id"] == remove):
            draft_file_delete(gone["id"])
            messages.success(request, _("Removed %(name)s.") % {"name": gone["name"]})
        files = [f for f in files if not remove or f["id"] != remove]
        draft_put(request.session, line, files=files)
        if added:
            messages.success(
                request,
                ngettext(
                    "Added %(n)d file. Add more, or continue.",
                    "Added %(n)d files. Add more, or continue.",
                    added,
                )
                % {"n": added}
                if go == "evidence"
                else ngettext("Added %(n)d file.", "Added %(n)d files.", added) % {"n": added},
            )
        return redirect("portal:wizard", line_id=item.line_id, step=go)
    return render(
        request,
        "portal/wizard_evidence.html",
        _evidence_context(request, item, form, files),
        status=status,
    )


def _evidence_context(request, item: WizardItem, form, files: list[dict]) -> dict:
    kinds = dict(EvidenceKind.choices)
    # Labels for the page only: the draft's own file entries stay as they were saved.
    shown = [{**f, "kind_label": kinds.get(f["kind"], f["kind"])} for f in files]
    return _context(request, item, "evidence", form=form, files=shown, **limits_context())


def _evidence_keep(form: EvidenceForm, files: list[dict]) -> int:
    """Run the upload policy on the files chosen and keep them in ``files`` (all or none);
    refusals go on the form. The number kept."""
    uploads = form.cleaned_data["files"]
    if not uploads:
        return 0
    if len(files) + len(uploads) > MAX_FILES_PER_CLAIM:
        form.add_error(
            "files", _("A claim can have at most %(n)d files.") % {"n": MAX_FILES_PER_CLAIM}
        )
        return 0
    # The upload policy decides each file in full here, once: the customer learns now, and
    # submitting only checks the kept file's hash.
    cleaned, reasons = evidence_check_each(
        files=[(upload.name, upload_read(upload)) for upload in uploads]
    )
    # Same bytes are the same file (claims.duplicates): one already kept, or chosen twice.
    kinds = dict(EvidenceKind.choices)
    held = [
        Held(sha256=f["sha256"], kind=str(kinds.get(f["kind"], f["kind"])))
        for f in files
        if f.get("sha256")
    ]
    reasons += duplicate_reasons(cleaned=cleaned, held=held)
    if reasons:
        for reason in reasons:
            form.add_error("files", reason)
        return 0
    kind = form.cleaned_data["kind"]
    files += [draft_file_keep(clean=clean, kind=kind) for clean in cleaned]
    return len(cleaned)


def _review(request, line, item: WizardItem, draft: dict) -> HttpResponse:
    if not draft["incident"].get("safety"):
        # A draft from before the safety questions: ask them first.
        return redirect("portal:wizard", line_id=item.line_id, step="incident")
    form = DeclarationsForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if submission_limited(request, customer_id=request.customer_id):
            form.add_error(
                None,
                _(
                    "You have submitted several claims today. Your details are kept: please try "
                    "again tomorrow, or reply to one of our e-mails if this is urgent."
                ),
            )
            status = 429
        else:
            incident = draft["incident"]
            try:
                claim = claim_submit(
                    customer=request.customer,
                    order_line=line,
                    incident_date=dt.date.fromisoformat(incident["incident_date"]),
                    incident_kind=incident["incident_kind"],
                    description=incident["description"],
                    people_injured=incident["people_injured"],
                    facts=incident["safety"],
                    losses=_loss_inputs(draft),
                    files=list(draft.get("files") or []),
                    ip=client_ip(request),
                    device=device_id(request),
                    language=get_language() or "",
                )
            except ClaimError as exc:
                for reason in getattr(exc, "reasons", None) or [str(exc)]:
                    form.add_error(None, reason)
                status = 400
            else:
                draft_drop(request.session, line.pk)
                response = redirect(reverse("portal:claim-submitted", args=[claim.reference]))
                return device_cookie_set(request, response)
    elif request.method == "POST":
        status = 400
    currency = item.currency
    kinds, loss_kinds = dict(IncidentKind.choices), dict(LossKind.choices)
    losses = [
        {
            **loss,
            "label": loss_kinds[loss["kind"]],
            "amount": format_minor(loss["amount_minor"], currency),
        }
        for loss in draft.get("losses") or []
    ]
    evidence_kinds = dict(EvidenceKind.choices)
    files = [
        {**f, "kind_label": evidence_kinds.get(f["kind"], "")} for f in draft.get("files") or []
    ]
    return render(
        request,
        "portal/wizard_review.html",
        _context(
            request,
            item,
            "review",
            form=form,
            incident=draft["incident"],
            incident_date=incident_date_of(draft),
            incident_kind=kinds.get(draft["incident"]["incident_kind"], ""),
            losses=losses,
            total=format_minor(sum(x["amount_minor"] for x in draft.get("losses") or []), currency),
            files=files,
            facts=IncidentFactsForm.summary(draft["incident"]["safety"]),
        ),
        status=status,
    )
