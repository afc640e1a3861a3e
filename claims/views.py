from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from claims.files import evidence_response
from claims.models import Evidence


@require_safe
@login_required
@permission_required("claims.view_evidence", raise_exception=True)
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence is never on a public URL: staff get it here, after a permission check."""
    evidence = get_object_or_404(Evidence, pk=pk)
    return evidence_response(evidence)
