"""The yearly cycle: periods, each unit's assessment with its entries and evidence, the
working group's verification and the workflow between them.

* :mod:`.models` — Period, Assessment, IndicatorEntry, Evidence, SiteVisitNote, ValuesImport;
* :mod:`.workflow` — the state machine as data, the status sets and the one rule for which
  value counts (no database access);
* :mod:`.services` — every write, by entity; :mod:`.period_import` — many units' values applied
  in the background; :mod:`.selectors` and :mod:`.period_values` — reads;
* :mod:`.calculations` — plain rows into the engine and back;
* :mod:`.views`, :mod:`.import_views`, :mod:`.forms` — the pages.
"""
