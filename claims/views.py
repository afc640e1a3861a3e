from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from claims.evidence import (
    Looker,
    Viewer,
    evidence_is_medical,
    evidence_visible,
    medical_access_record,
)
from claims.files import INLINE_TYPES, evidence_response
from claims.models import MedicalAccessAction
from claims.scope import claims_visible_to


@require_safe
@login_required
@permission_required("claims.view_evidence", raise_exception=True)
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is never on a public URL: staff get it here, after the need-to-know scope
    (``claims.scope``: a claim outside the viewer's regions is a 404), the evidence rule
    (``claims.evidence``) and its permission check. Opening a medical document is logged."""
    claim = get_object_or_404(claims_visible_to(request.user), evidence__pk=pk)
    looker = Looker(viewer=Viewer.STAFF, user=request.user)
    evidence = evidence_visible(claim=claim, looker=looker).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    if evidence_is_medical(evidence) and request.method == "GET":
        medical_access_record(
            evidence=evidence,
            user=request.user,
            action=MedicalAccessAction.VIEWED
            if evidence.content_type in INLINE_TYPES
            else MedicalAccessAction.DOWNLOADED,
            page=_referring_page(request),
        )
    return evidence_response(evidence)


def _referring_page(request: HttpRequest) -> str:
    """The path of the page the file was opened from, when the browser says (same site only)."""
    referer = urlsplit(request.headers.get("Referer", ""))
    if referer.netloc and referer.netloc != request.get_host():
        return ""
    return referer.path
