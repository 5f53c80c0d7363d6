"""Room: frameworks — storing framework versions; every upload is validated by the engine first."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from dti.engine import DataError, FrameworkError, load_framework
from dti.io.framework_workbook import framework_to_yaml, read_framework_workbook
from dti.web.accounts.actors import Actor
from dti.web.accounts.models import Role
from dti.web.accounts.policy import require_role
from dti.web.audit.actions import AuditAction
from dti.web.audit.services import audit_record
from dti.web.errors import InvalidInput
from dti.web.frameworks.models import FrameworkVersion
from dti.web.problems import problem_texts


def framework_problems(exc: FrameworkError | DataError) -> list[str]:
    return problem_texts(exc.problems)


def framework_store(
    *,
    actor: Actor | None,
    yaml_text: str,
    file_name: str = "framework.yaml",
    check_role: bool = True,
) -> FrameworkVersion:
    """Validate a framework YAML and store it as a new version (or return the identical one);
    ``actor`` None: a loader's call (``check_role=False``), stored as uploaded by no one."""
    if check_role:
        require_role(actor, Role.ADMIN)
    try:
        framework = load_framework(yaml_text, file=file_name)
    except FrameworkError as exc:
        raise InvalidInput(
            _("The framework file has problems."), problems=framework_problems(exc)
        ) from exc
    digest = hashlib.sha256(yaml_text.encode()).hexdigest()
    version = framework.version or digest[:12]
    with transaction.atomic():
        existing = FrameworkVersion.objects.filter(code=framework.code, version=version).first()
        if existing is not None:
            if existing.sha256 != digest:
                raise InvalidInput(
                    _(
                        "Framework %(code)s version %(version)s already exists with different "
                        "content; change its “version” field."
                    )
                    % {"code": framework.code, "version": version}
                )
            return existing
        stored = FrameworkVersion.objects.create(
            code=framework.code,
            version=version,
            name=framework.name.vi,
            yaml_text=yaml_text,
            sha256=digest,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action=AuditAction.FRAMEWORK_STORE, obj=stored, new=str(stored))
    return stored


def framework_store_workbook(
    *, actor: Actor | None, path: Path, file_name: str, check_role: bool = True
) -> FrameworkVersion:
    """Store the framework an appendix workbook holds (see :mod:`dti.io.framework_workbook`):
    read and validated as a whole, every problem by sheet, row and column, then stored as the
    framework YAML it is equivalent to (what a framework version always holds)."""
    if check_role:
        require_role(actor, Role.ADMIN)
    try:
        framework = read_framework_workbook(path, file=file_name)
    except (FrameworkError, DataError) as exc:
        raise InvalidInput(
            _("The framework workbook has problems."), problems=framework_problems(exc)
        ) from exc
    return framework_store(
        actor=actor,
        yaml_text=framework_to_yaml(framework),
        file_name=Path(file_name).with_suffix(".yaml").name,
        check_role=False,
    )
