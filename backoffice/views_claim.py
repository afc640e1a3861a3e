"""The claim workspace and the actions taken on one claim.

Each action is a confirmation page (GET) and a POST that calls one service, turns a domain
error into a message, and redirects back to the workspace.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backoffice import selectors
from backoffice.forms import (
    ApproveForm,
    AssignForm,
    DenyForm,
    EvidenceAddForm,
    FraudHoldForm,
    MessageForm,
    MoveForm,
    NoteForm,
    OverruleForm,
    ReferForm,
    RequestInfoForm,
    TagForm,
    WorkspaceForm,
)
from backoffice.notifications import notifications_read_for_claim
from backoffice.services import (
    DOMAIN_ERRORS,
    assign_to_me_refusal,
    claim_assign_to_me,
    claim_decide_approve,
    claim_evidence_add,
    claim_holder_check,
    claim_holder_refusal,
    claim_message_send,
    claim_reassign,
    claim_tag_add,
    claim_take_next,
    evidence_add_refusal,
)
from backoffice.sla import claim_clocks
from backoffice.views import staff_view
from claims import lifecycle
from claims.actors import Actor
from claims.exceptions import ConcurrentTransition, EvidenceRejected
from claims.models import Claim, ClaimStatus, EvidenceKind
from claims.services import (
    claim_note_add,
    claim_paused_from,
    claim_request_info,
    claim_transition,
)
from claims.uploads import upload_read
from fraud.referrals import fraud_refer
from fraud.services import fraud_hold
from payouts.selectors import (
    approval_pending_id,
    approval_pending_subquery,
    claim_payee_situation,
)
from payouts.services.decisions import decision_deny
from payouts.services.funding import funding_for
from sellers.services.escalation import claim_overrule_seller

S = ClaimStatus


def moves_for(claim: Claim, user) -> list[dict]:
    """What this user may do to the claim now, named as tasks (``lifecycle.actions_for``).

    ``slug`` is the action's address: the state it leads to, or the task's key when the claim
    stays where it is (a referral keeps the hold). A claim whose approval awaits a second
    approver is not approved again (``decision_approve`` refuses it): that approval is read and
    signed in Decisions."""
    awaiting_second = approval_pending_id(claim=claim) is not None
    return [
        {
            "to": action.to,
            "label": action.label,
            "key": action.key,
            "slug": action.key if action.key == "refer" else action.to,
        }
        for action in lifecycle.actions_for(
            claim.status,
            user.has_perm,
            paused_from=claim_paused_from(claim=claim) if claim.status == S.NEEDS_INFO else None,
        )
        if not (awaiting_second and action.to == S.APPROVED)
    ]


def consequences(claim: Claim, to: str) -> list[str]:
    """What a move will do, in words, for the confirmation page."""
    said = [
        _("Claim %(ref)s moves from “%(from)s” to “%(to)s”.")
        % {"ref": claim.reference, "from": claim.get_status_display(), "to": S(to).label}
    ]
    if "claims.notify_customer" in lifecycle.FOLLOW_UPS.get(to, ()):
        said.append(_("The customer is told by e-mail."))
    if to == S.NEEDS_INFO:
        said.append(_("The decision and seller clocks pause until the customer answers."))
    if claim.status == S.NEEDS_INFO:
        said.append(_("The paused clocks resume, pushed out by the time spent waiting."))
    if to == S.AWAITING_SELLER and claim.seller_respond_by is None:
        said.append(_("The seller's response clock starts."))
    if to == S.APPROVED:
        said.append(_("The approved amounts are recorded per loss item."))
    if to == S.DENIED:
        said.append(_("The customer may appeal within the region's appeal window."))
        if approval_pending_id(claim=claim) is not None:  # decision_deny supersedes it
            said.append(_("The approval awaiting a second approver is withdrawn."))
    if to == S.ESCALATED and claim.status == S.SELLER_RESPONDED:
        said.append(
            _(
                "The marketplace steps in: above the threshold it pays and opens a recovery "
                "against the seller; at or under it the claim is a concession."
            )
        )
    if to == S.FRAUD_HOLD:
        said.append(_("No payout can be released until a fraud analyst clears the claim."))
    return said


def consequences_of_referral(claim: Claim) -> list[str]:
    return [
        _(
            "The adjuster is e-mailed a signed link to this claim only, valid until the "
            "report is due plus a week."
        ),
        _("Claim %(ref)s stays on fraud hold until an analyst decides.") % {"ref": claim.reference},
    ]


def _claim(request: HttpRequest, pk: int) -> Claim:
    claim = (
        selectors.claims_visible_to(request.user)
        .select_related("region", "assignee")
        # Its approval awaiting a second approver, if any, read with it: the moves offered
        # and a denial's consequences both ask (``approval_pending_id``).
        .annotate(pending_approval_id=approval_pending_subquery())
        .filter(pk=pk)
        .first()
    )
    if claim is None:
        raise Http404
    return claim


def _back(claim: Claim) -> HttpResponse:
    return redirect("backoffice:claim", pk=claim.pk)


@require_safe
@staff_view("claims.view_claim")
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _workspace(request, pk)


def _workspace(request: HttpRequest, pk: int, refused: WorkspaceForm | None = None) -> HttpResponse:
    """The claim's workspace; with ``refused``, one of its forms sent and refused: the page
    again (400) with that form as it was sent, its problems beside its fields and in its
    summary, and nothing written (not even its notifications marked read)."""
    try:
        claim = selectors.claim_workspace(user=request.user, pk=pk)
    except Claim.DoesNotExist as exc:
        raise Http404 from exc
    # Opening the claim is acting on what it notified: its notifications for the viewer are read
    # (before the header counts them), if it has any (no write otherwise).
    if claim.has_unread_for_viewer and refused is None:
        notifications_read_for_claim(user=request.user, claim_id=claim.pk)
    events = list(claim.events.all())
    held_elsewhere = claim_holder_refusal(claim=claim, user=request.user)
    forms = {
        "note_form": NoteForm(),
        "message_form": MessageForm(),
        "assign_form": AssignForm(),
        "tag_form": TagForm(),
    }
    if refused is not None:
        forms[f"{refused.id_prefix}_form"] = refused
    return render(
        request,
        "backoffice/claim.html",
        {
            "claim": claim,
            "events": events,
            # Files the evidence rule keeps from this viewer: their events do not name them.
            "restricted_files": {e.pk for e in claim.evidence.all() if not e.may_open},
            "clocks": claim_clocks(claim),
            # A claim another agent holds is theirs: no move is offered (claim_holder_check).
            "moves": [] if held_elsewhere else moves_for(claim, request.user),
            "held_elsewhere": held_elsewhere,
            "tags": [link.tag.name for link in claim.tag_links.all()],
            "certificates": list(claim.seller.certificates.all()),
            **forms,
            "held_by_other": claim.assignee_id not in (None, request.user.pk),
            "can_assign": request.user.has_perm("backoffice.assign_claims"),
            # "Assign to me": offered only when the service would take it (its rule, one place).
            "can_take": assign_to_me_refusal(claim=claim, user=request.user) is None,
            "can_message": request.user.has_perm("claims.transition_claim"),
            "can_add_evidence": evidence_add_refusal(claim=claim, user=request.user) is None,
            "now": timezone.now(),
            "money": claim_payee_situation(claim=claim, with_pending_change=True),
        },
        status=200 if refused is None else 400,
    )


FORMS = {
    S.APPROVED: ApproveForm,
    S.DENIED: DenyForm,
    S.NEEDS_INFO: RequestInfoForm,
    S.ESCALATED: OverruleForm,
    S.FRAUD_HOLD: FraudHoldForm,
    "refer": ReferForm,
}


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("claims.transition_claim")  # readers (the safety team) see claims, never move them
def claim_move(request: HttpRequest, pk: int, to: str) -> HttpResponse:
    """Confirm (GET) and make (POST) one move of the transition table."""
    claim = _claim(request, pk)
    if to not in S.values and to != "refer":
        raise Http404
    action = next((m for m in moves_for(claim, request.user) if m["slug"] == to), None)
    if action is None and to == claim.status:
        # The browser's Back after the move: done, not an error.
        messages.info(
            request,
            _("Claim %(ref)s is already %(status)s.")
            % {"ref": claim.reference, "status": claim.get_status_display()},
        )
        return _back(claim)
    if action is None:
        task = S(to).label if to in S.values else _("refer it to an adjuster")
        messages.error(
            request,
            _("Claim %(ref)s is %(status)s: you cannot move it to %(to)s now.")
            % {"ref": claim.reference, "status": claim.get_status_display(), "to": task},
        )
        return _back(claim)
    refusal = claim_holder_refusal(claim=claim, user=request.user)
    if refusal and request.method == "GET":
        # Said before anything is typed; a POST (the claim taken while the form was open) is
        # refused by the move itself, with the form and what was typed kept.
        messages.error(request, refusal)
        return _back(claim)
    form_class = FORMS.get(to, MoveForm)
    kwargs = {"claim": claim, "user": request.user} if form_class is ApproveForm else {}
    if request.method == "GET":
        form = form_class(initial={"expected_status": claim.status}, **kwargs)
    else:
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                done = _move(request, claim, to, form.cleaned_data)
            except DOMAIN_ERRORS as exc:
                # Refused: the page comes back with what was typed and the reason, not empty.
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    done
                    or _("Claim %(ref)s is now %(status)s.")
                    % {"ref": claim.reference, "status": S(action["to"]).label},
                )
                return _back(claim)
    return render(
        request,
        "backoffice/claim_move.html",
        {
            "claim": claim,
            "action": action,
            "form": form,
            "consequences": consequences_of_referral(claim)
            if to == "refer"
            else consequences(claim, to),
            "funding": funding_for(claim=claim) if to == S.APPROVED else None,
        },
        status=200 if form.is_bound is False or not form.errors else 400,
    )


def _move(request: HttpRequest, claim: Claim, to: str, data: dict) -> str | None:
    """Make the move; returns a message when the outcome is not simply "now <status>"."""
    if data["expected_status"] != claim.status:
        raise ConcurrentTransition(
            _("Claim %(ref)s changed while you were working on it; it is now %(now)s.")
            % {"ref": claim.reference, "now": claim.get_status_display()}
        )
    claim_holder_check(claim=claim, user=request.user)
    actor = Actor.staff(request.user)
    reason = data.get("reason", "")
    if to == S.APPROVED:
        result = claim_decide_approve(
            claim=claim,
            user=request.user,
            approved=data["approved"],
            funding=data["funding"],
            funding_reason=data["funding_reason"],
            note=reason,
            reasons=data["reasons"],
        )
        if not result.approved:
            return _(
                "The amount is above the four-eyes limit: claim %(ref)s now awaits a second "
                "approver, who must be someone else."
            ) % {"ref": claim.reference}
    elif to == S.DENIED:
        decision_deny(claim=claim, actor=actor, reason_code=data["reason_code"], explanation=reason)
    elif to == S.NEEDS_INFO:
        claim_request_info(claim=claim, actor=actor, message=reason)
    elif to == S.ESCALATED:
        claim_overrule_seller(claim=claim, actor=actor, reason=reason)
        return _("The marketplace steps in on %(ref)s.") % {"ref": claim.reference}
    elif to == S.FRAUD_HOLD:
        fraud_hold(claim=claim, actor=actor, note=reason)
    elif to == "refer":
        fraud_refer(
            claim=claim,
            actor=actor,
            adjuster_email=data["adjuster_email"],
            label=data["label"],
            note=reason,
            due_days=data["due_days"],
        )
        return _("Claim %(ref)s sent to the adjuster.") % {"ref": claim.reference}
    else:
        claim_transition(claim=claim, to=to, actor=actor, reason=reason)
    return None


def _quick_form(request: HttpRequest, claim: Claim, form: WorkspaceForm, act) -> HttpResponse:
    """One of the workspace's quick forms sent: ``act(data)`` calls its service and returns
    the message said after the redirect (``messages.success``, or ``(level, text)``). A form
    refused, by itself or by the service, brings the workspace back with what was typed."""
    if form.is_valid():
        try:
            said = act(form.cleaned_data)
        except DOMAIN_ERRORS as exc:
            form.add_error(None, str(exc))
        else:
            level, text = said if isinstance(said, tuple) else (messages.SUCCESS, said)
            messages.add_message(request, level, text)
            return _back(claim)
    return _workspace(request, claim.pk, refused=form)


@require_POST
@staff_view("claims.view_claim")
def claim_note(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)

    def act(data):
        claim_note_add(claim=claim, actor=Actor.staff(request.user), text=data["text"])
        return _("Note added.")

    return _quick_form(request, claim, NoteForm(request.POST), act)


@require_POST
@staff_view("claims.transition_claim")
def claim_message(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)

    def act(data):
        claim_holder_check(claim=claim, user=request.user)
        claim_message_send(claim=claim, user=request.user, to=data["to"], text=data["text"])
        return _("Message recorded; it is being e-mailed.")

    return _quick_form(request, claim, MessageForm(request.POST), act)


@require_POST
@staff_view("backoffice.assign_claims")
def claim_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)

    def act(data):
        done = claim_reassign(
            claim=claim, assignee=data["assignee"], actor_user=request.user, reason=data["reason"]
        )
        who = done.assignee.get_username() if done.assignee else _("nobody")
        return _("Claim %(ref)s is assigned to %(who)s.") % {"ref": claim.reference, "who": who}

    return _quick_form(request, claim, AssignForm(request.POST, claim=claim), act)


@require_POST
@staff_view("claims.view_claim")
def claim_tag(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)

    def act(data):
        if claim_tag_add(claim=claim, user=request.user, name=data["name"]):
            return _("Tag added.")
        return messages.INFO, _("The claim already has this tag.")

    return _quick_form(request, claim, TagForm(request.POST), act)


@require_POST
@staff_view("claims.transition_claim")
def take_next(request: HttpRequest) -> HttpResponse:
    try:
        claim = claim_take_next(user=request.user)
    except DOMAIN_ERRORS as exc:
        messages.info(request, str(exc))
        return redirect("backoffice:queue")
    messages.success(request, _("Claim %(ref)s is yours now.") % {"ref": claim.reference})
    return _back(claim)


@require_POST
@staff_view("claims.change_claim")
def claim_evidence_share(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    """Show the customer one file the evidence rule keeps from them (recorded on the claim)."""
    from claims.evidence import evidence_share_with_customer
    from claims.exceptions import ClaimError
    from claims.models import Evidence

    claim = _claim(request, pk)
    evidence = Evidence.objects.filter(pk=evidence_pk, claim=claim).first()
    if evidence is None:
        raise Http404
    try:
        evidence_share_with_customer(evidence=evidence, actor=Actor.staff(request.user))
    except ClaimError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(name)s is shared with the customer.") % {"name": evidence.original_name}
        )
    return _back(claim)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_view("claims.add_evidence")
def claim_evidence_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add files staff received by post or e-mail (a police report, a medical bill): the form
    (GET), then the files through the upload policy, all or none (POST). A refused form comes
    back with every problem at its field and the kind chosen."""
    claim = _claim(request, pk)
    refusal = evidence_add_refusal(claim=claim, user=request.user)
    if refusal:
        messages.error(request, refusal)
        return _back(claim)
    posted = request.method == "POST"
    form = EvidenceAddForm(request.POST, request.FILES) if posted else EvidenceAddForm()
    if posted and form.is_valid():
        kind = form.cleaned_data["kind"]
        uploads = [(f.name, upload_read(f)) for f in form.cleaned_data["files"]]
        try:
            added = claim_evidence_add(claim=claim, user=request.user, files=uploads, kind=kind)
        except EvidenceRejected as exc:
            for reason in exc.reasons:
                form.add_error("files", reason)
        except DOMAIN_ERRORS as exc:
            form.add_error(None, str(exc))
        else:
            _evidence_added(request, claim, added, kind)
            return _back(claim)
    return render(
        request,
        "backoffice/claim_evidence_add.html",
        {
            "claim": claim,
            "form": form,
            "may_open_medical": request.user.has_perm("claims.view_medical_evidence"),
        },
        status=400 if form.errors else 200,
    )


def _evidence_added(request: HttpRequest, claim: Claim, added: list, kind: str) -> None:
    messages.success(
        request,
        ngettext(
            "%(n)d file added to claim %(ref)s as %(kind)s. It stays internal until you share "
            "it with the customer.",
            "%(n)d files added to claim %(ref)s as %(kind)s. They stay internal until you share "
            "them with the customer.",
            len(added),
        )
        % {"n": len(added), "ref": claim.reference, "kind": EvidenceKind(kind).label},
    )
    if kind == EvidenceKind.MEDICAL_BILL and not request.user.has_perm(
        "claims.view_medical_evidence"
    ):
        messages.warning(
            request,
            _(
                "Medical bills are health data: only staff with the medical-records permission "
                "can open them. You will see them listed as restricted; ask a supervisor."
            ),
        )


@require_POST
@staff_view("claims.transition_claim")
def claim_assign_to_me_view(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    try:
        claim = claim_assign_to_me(claim=claim, user=request.user)
    except DOMAIN_ERRORS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Claim %(ref)s is yours now.") % {"ref": claim.reference})
    return _back(claim)
