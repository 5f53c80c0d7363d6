"""The units registry: provinces, unit groups, units with their hierarchy, and the lineage
of reorganisations (merges, splits, renames, transfers) that keeps history comparable.

* :mod:`.models`; :mod:`.services` — writes by room (units, reorganisations, lineage, import);
* :mod:`.selectors` — reads, and the engine's registry built from the database;
* :mod:`.views` — the pages.
"""
