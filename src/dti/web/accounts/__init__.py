"""Who is who and who may do what.

* :mod:`.models` — one membership per user: a role and, for a reporter, the unit;
* :mod:`.actors` — the user types the code meets (an actor who changes, a viewer who looks);
* :mod:`.policy` — every permission question, answered once (views, API, selectors and
  services ask it; nothing else decides);
* :mod:`.services` — creating accounts; :mod:`.throttle` — sign-in throttling per address;
* :mod:`.views` — the sign-in page.
"""
