from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from claims.evidence import Looker, Viewer, evidence_visible
from claims.files import evidence_response
from claims.models import Claim


@require_safe
@login_required
@permission_required("claims.view_evidence", raise_exception=True)
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is never on a public URL: staff get it here, after the evidence rule
    (``claims.evidence``) and its permission check."""
    claim = get_object_or_404(Claim, evidence__pk=pk)
    looker = Looker(viewer=Viewer.STAFF, user=request.user)
    evidence = evidence_visible(claim=claim, looker=looker).filter(pk=pk).first()
    if evidence is None:
        raise Http404
    return evidence_response(evidence)
