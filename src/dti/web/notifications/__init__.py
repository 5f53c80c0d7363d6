"""Room: notifications — the in-product inbox, e-mail (in Vietnamese) and deadline reminders.

Other rooms call :func:`dti.web.notifications.services.notify`; the workflow's events reach it
through the hooks of :mod:`dti.web.assessments.workflow` (registered in :mod:`.apps`), and the
reminders are periodic tasks of the queue (:mod:`.tasks`).
"""
