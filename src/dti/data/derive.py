"""Dataset-local frameworks derived from the shipped ones (other bands, one group, …)."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from dti.catalog import FRAMEWORK_DIR
from dti.data.spec import Derivation
from dti.engine.safe_yaml import load_yaml

__all__ = ["derive", "dump_yaml"]


class _Dumper(yaml.SafeDumper):
    """Plain YAML without anchors/aliases (the engine's loader refuses them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any, header: str = "") -> str:
    body = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, indent=2)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.strip().splitlines())
    return comment + body


def _restrict(nodes: list[dict[str, Any]], group: str) -> list[dict[str, Any]]:
    kept = []
    for node in nodes:
        applies = node.pop("applies_to", None)
        if applies is not None and group not in applies:
            continue
        if node.get("children"):
            node["children"] = _restrict(node["children"], group)
        kept.append(node)
    return kept


def derive(spec: Derivation) -> str:
    """The YAML text of a derived framework."""
    base = FRAMEWORK_DIR / f"{spec.base}.yaml"
    raw: dict[str, Any] = copy.deepcopy(load_yaml(base.read_bytes(), file=base.name))
    if spec.keep_group is not None:
        raw["tree"] = _restrict(raw["tree"], spec.keep_group)
    sources = [dict(s) for s in spec.sources] + raw["sources"]
    raw.update(copy.deepcopy(dict(spec.fields)))
    raw["sources"] = sources
    return dump_yaml(raw, spec.header)
