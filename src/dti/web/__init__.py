"""The web platform (Django): units, frameworks, assessment periods, workflow and audit.

It builds on :mod:`dti.engine` (scores are always computed by the engine) and :mod:`dti.io`
(templates and uploads); the engine never imports anything from here.
"""
