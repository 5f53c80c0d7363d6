"""The REST API (``/api/v1/``): django-ninja over the same selectors, services and policy as the
web pages. Token authentication only (``Authorization: Bearer <token>``); one error shape.
"""
