"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API returns has ``type``, ``title``, ``status`` and ``detail``; validation
errors add ``errors``: one entry per problem with the row ``index`` (batches), the ``field``
and the ``detail``, so a client can fix exactly the rows that were refused."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_TYPE = "https://claimdesk.example/problems/"
CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too-large"


class Refused(exceptions.APIException):
    """A business rule refused the request (the detail says which); nothing was changed."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Refused."
    default_code = "refused"


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def _flatten(detail, *, index=None, field="") -> list[dict]:
    """DRF's nested error structure as a flat list of {index, field, detail}."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                key = ""
            out.extend(_flatten(value, index=index, field=f"{field}.{key}" if field else key))
    elif isinstance(detail, list):
        if detail and all(isinstance(d, dict) for d in detail) and index is None and not field:
            for i, item in enumerate(detail):
                if item:
                    out.extend(_flatten(item, index=i))
        else:
            for item in detail:
                out.extend(_flatten(item, index=index, field=field))
    else:
        entry = {"field": field, "detail": str(detail)}
        if index is not None:
            entry["index"] = index
        out.append(entry)
    return out


def problem(status_code: int, detail: str, *, slug: str, errors=None, headers=None) -> Response:
    body = {
        "type": PROBLEM_TYPE + slug,
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: Django's 500 handling and logging
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    if isinstance(exc, exceptions.ValidationError):
        errors = getattr(exc, "errors", None) or _flatten(exc.detail)
        return problem(400, _refused_detail(context), slug="validation", errors=errors)
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    slug = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.Throttled):
        slug = "rate-limited"
    return problem(response.status_code, detail, slug=slug, headers=headers)


def _refused_detail(context) -> str:
    """A read is refused for its query (a filter, a cursor); only a write has anything it
    might have changed."""
    request = context.get("request")
    if request is not None and request.method in SAFE_METHODS:
        return "Some query parameters were refused. See errors."
    return "Some values were refused; nothing was changed. See errors."
