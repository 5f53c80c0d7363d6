"""The audit trail: every change with who, when, old, new and why.

* :mod:`.actions` — every action name (an enum the pages label);
* :mod:`.models` — the event; :mod:`.services` — the only way events are written, inside the
  writing service's transaction; :mod:`.views` — the audit pages.
"""
