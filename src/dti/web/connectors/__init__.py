"""Connectors: measured values pulled from the systems that hold them, with their provenance.

models      Connector (what the admin configures), Pull (one run, all or nothing),
            PullPayload (each page as received, stored), MeasuredValue (a value's provenance)
services    connector_save, pull_start (writes; policy-checked, audited)
pulling     pull_run: claim, fetch (dti.io.connectors), map, then writing
writing     the entries, their audit, the provenance and the new scores, in one transaction
measured    which indicators a framework measures; the form's provenance
tasks       the queue's task (retries with backoff) and the resumption of killed pulls
"""
