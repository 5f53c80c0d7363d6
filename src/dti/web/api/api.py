"""The NinjaAPI of version 1: its error handlers and routers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dti.web.api import endpoints_assessments, endpoints_reference, endpoints_results
from dti.web.api.errors import ApiError, ErrorCode, ErrorDetail, from_service
from dti.web.errors import ServiceError

api = NinjaAPI(
    title="dti API",
    version="1",
    description=(
        "Digital-transformation (DTI) assessment: frameworks, units, periods, results, "
        "rankings, scorecards, and the units' self-assessment values. Published results are "
        "public; everything else needs `Authorization: Bearer <token>` "
        "(`manage.py api_token USERNAME`). Errors: "
        '`{"error": {"code", "message", "details"}}` with stable codes.'
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _respond(request: HttpRequest, error: ApiError) -> HttpResponse:
    return api.create_response(request, error.body(), status=error.status)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _respond(request, exc)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return _respond(request, from_service(exc))


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        ErrorDetail(
            loc=[p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
            message=str(e.get("msg", "invalid")),
        )
        for e in exc.errors
    ]
    return _respond(request, ApiError(ErrorCode.INVALID, _("The request was refused."), details))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = _(
        "The request body is larger than %(limit)s bytes; send fewer entries at a time."
    ) % {"limit": number_format(limit, force_grouping=True)}
    return _respond(request, ApiError(ErrorCode.TOO_LARGE, message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _respond(request, ApiError(ErrorCode.NOT_FOUND, _("Not found.")))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError) or exc.status_code == 401:
        return _respond(request, ApiError(ErrorCode.NOT_AUTHENTICATED, _("A token is required.")))
    if exc.status_code == 403:
        return _respond(request, ApiError(ErrorCode.FORBIDDEN, str(exc.message)))
    if exc.status_code == 404:
        return _respond(request, ApiError(ErrorCode.NOT_FOUND, str(exc.message)))
    # Unparseable bodies and the like: invalid input, in the one shape.
    return _respond(request, ApiError(ErrorCode.INVALID, str(exc.message)))


api.add_router("/", endpoints_reference.router)
api.add_router("/", endpoints_results.router)
api.add_router("/", endpoints_assessments.router)
