"""The frameworks shipped with dti, found by file name or framework code."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from dti.engine import Framework, FrameworkError, Problem, load_framework

__all__ = ["FRAMEWORK_DIR", "resolve_framework", "shipped_frameworks"]

FRAMEWORK_DIR = Path(__file__).parent / "frameworks"


@cache
def shipped_frameworks() -> dict[str, Framework]:
    """Every shipped framework by its code (files are validated as they load)."""
    found: dict[str, Framework] = {}
    for path in sorted(FRAMEWORK_DIR.glob("*.yaml")):
        framework = load_framework(path)
        found[framework.code] = framework
    return found


def resolve_framework(name: str | Path) -> Framework:
    """A path to a YAML file or an appendix workbook (``dti framework-workbook``), or the code /
    file stem of a shipped framework."""
    path = Path(name)
    if path.suffix.lower() in (".yaml", ".yml") and path.exists():
        return load_framework(path)
    if path.suffix.lower() == ".xlsx" and path.exists():
        # (imported here: the catalog is read by commands that never touch a workbook)
        from dti.io.framework_workbook import read_framework_workbook

        return read_framework_workbook(path)
    shipped = FRAMEWORK_DIR / f"{name}.yaml"
    if shipped.exists():
        return load_framework(shipped)
    frameworks = shipped_frameworks()
    if str(name) in frameworks:
        return frameworks[str(name)]
    raise FrameworkError(
        Problem(
            f"no such file or shipped framework (shipped: {', '.join(sorted(frameworks))})",
            file=str(name),
        )
    )
