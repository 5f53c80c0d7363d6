"""Writes of the connectors' configuration and the requests of pulls (policy-checked, in one
transaction with their audit event)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dti.web.accounts.actors import Actor
from dti.web.accounts.policy import require_manage_connectors, require_period_admin
from dti.web.assessments.models import Period
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_changes, audit_record
from dti.web.connectors.models import OPEN_STATES, Connector, ConnectorKind, Pull
from dti.web.errors import InvalidInput
from dti.web.ops.names import checked_upload_name
from dti.web.ops.storage import delete_on_error, make_durable
from dti.web.registry.models import Province

__all__ = ["MAPPING_FIELDS", "ConnectorInput", "connector_save", "pull_start"]

# A change of any of these is a new mapping version (kept by every value measured after it).
MAPPING_FIELDS = ("unit_key", "unit_map", "field_map")
_AUDITED = (
    "code",
    "name",
    "kind",
    "url",
    "records",
    "pagination",
    "page_param",
    "pages_key",
    "next_key",
    "total_key",
    "folder",
    "unit_key",
    "unit_map",
    "field_map",
    "active",
)


@dataclasses.dataclass(frozen=True)
class ConnectorInput:
    """What the admin's page sends (``token`` empty: keep the stored one)."""

    code: str
    name: str
    kind: str
    url: str = ""
    token: str = ""
    records: str = ""
    pagination: str = "none"
    page_param: str = "page"
    pages_key: str = ""
    next_key: str = "next"
    total_key: str = ""
    folder: str = ""
    unit_key: str = "unit"
    unit_map: dict[str, str] = dataclasses.field(default_factory=dict)
    field_map: dict[str, str] = dataclasses.field(default_factory=dict)
    active: bool = True


def connector_save(
    *,
    actor: Actor,
    province: Province | None,
    data: ConnectorInput,
    connector: Connector | None = None,
) -> Connector:
    """Create (``connector`` None) or change a connector of ``province``; the mapping's
    version moves when the mapping does; every changed field audited (the token as
    "changed", never its value)."""
    require_manage_connectors(actor, province if connector is None else connector.province_id)
    _check(data)
    with transaction.atomic():
        if connector is None:
            connector = Connector(province=province, created_by=actor)
            before: dict[str, Any] = {}
        else:
            connector = Connector.objects.select_for_update().get(pk=connector.pk)
            before = {f: getattr(connector, f) for f in _AUDITED}
        after = {f: getattr(data, f) for f in _AUDITED}
        if before and any(before[f] != after[f] for f in MAPPING_FIELDS):
            connector.mapping_version += 1
        for name, value in after.items():
            setattr(connector, name, value)
        token_changed = bool(data.token) and data.token != connector.token
        if data.token:
            connector.token = data.token
        try:
            with transaction.atomic():
                connector.save()
        except IntegrityError as exc:
            raise InvalidInput(
                _("Another connector of the province has the code %(code)s.") % {"code": data.code}
            ) from exc
        if token_changed:
            before["token"], after["token"] = "…", _("changed")
        audit_changes(
            actor=actor,
            action=AuditAction.CONNECTOR_SAVE,
            obj=connector,
            before=before,
            after=after,
        )
    return connector


def _check(data: ConnectorInput) -> None:
    if data.kind not in ConnectorKind.values:
        raise InvalidInput(_("Choose the kind of source."))
    if data.kind == ConnectorKind.FILE_DROP:
        return
    if not data.url.startswith(("http://", "https://")):
        raise InvalidInput(_("The source's address must start with http:// or https://."))


def pull_start(
    *,
    actor: Actor,
    connector: Connector,
    period: Period,
    upload: UploadedFile | None = None,
) -> Pull:
    """Ask for a pull of ``connector`` for ``period``; it runs on the queue once this commits.
    Asked again while one is open, the open one is answered (a double click queues nothing)."""
    require_manage_connectors(actor, connector.province_id)
    require_period_admin(actor, period)
    if connector.province_id != period.province_id:
        raise InvalidInput(_("The connector and the period belong to different provinces."))
    if upload is not None and connector.kind != ConnectorKind.FILE_DROP:
        raise InvalidInput(_("Only a file drop takes an uploaded file."))
    name = checked_upload_name(upload.name) if upload is not None else ""
    if upload is not None and not name.lower().endswith((".csv", ".xlsx")):
        raise InvalidInput(_("Upload a table (.xlsx or .csv)."))
    with transaction.atomic():
        open_pull = (
            Pull.objects.select_for_update()
            .filter(connector=connector, period=period, state__in=OPEN_STATES)
            .first()
        )
        if open_pull is not None:
            return open_pull
        storage = Pull._meta.get_field("upload").storage
        with delete_on_error(storage) as written:
            pull = Pull(
                connector=connector,
                period=period,
                requested_by=actor,
                heartbeat_at=timezone.now(),
                upload_name=name,
            )
            if upload is not None:
                pull.upload.save(name, File(upload), save=False)
                written.append(pull.upload.name)
                make_durable(storage, pull.upload.name)
            try:
                with transaction.atomic():
                    pull.save()
            except IntegrityError:  # another request opened one meanwhile: that one
                return Pull.objects.get(connector=connector, period=period, state__in=OPEN_STATES)
        audit_record(
            actor=actor,
            action=AuditAction.PULL_REQUEST,
            obj=connector,
            field="period",
            new=period.code,
        )
        transaction.on_commit(lambda: _in_background(pull.pk), robust=True)
    return pull


def _in_background(pull_id: int) -> None:
    from dti.web.connectors.tasks import pull_task  # the task module imports the pulling

    pull_task(pull_id)
