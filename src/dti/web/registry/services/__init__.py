"""Room: registry — writing units, groups and lineage (reorganisations keep the predecessors'
history). The package's rooms: :mod:`.units` (create, update, end), :mod:`.reorganisations`
(merge, absorb, split, rename, transfer), :mod:`.lineage` (the one writer of edges), and
:mod:`.units_import` (a units table and its lineage); the public names are re-exported here.
"""

from __future__ import annotations

from dti.web.registry.services.lineage import Edge
from dti.web.registry.services.reorganisations import (
    lineage_add,
    unit_rename,
    unit_split,
    unit_transfer,
    units_absorb,
    units_merge,
)
from dti.web.registry.services.units import (
    group_ensure,
    province_ensure,
    unit_create,
    unit_end,
    unit_update,
)
from dti.web.registry.services.units_import import LINEAGE_SHEETS, units_import

__all__ = [
    "LINEAGE_SHEETS",
    "Edge",
    "group_ensure",
    "lineage_add",
    "province_ensure",
    "unit_create",
    "unit_end",
    "unit_rename",
    "unit_split",
    "unit_transfer",
    "unit_update",
    "units_absorb",
    "units_import",
    "units_merge",
]
