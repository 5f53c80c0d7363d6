"""gunicorn settings for production (and the web benchmarks):

    DJANGO_SETTINGS_MODULE=dti.web.settings_production \
        .venv/bin/gunicorn -c gunicorn.conf.py dti.web.wsgi:application

Synchronous workers, as gunicorn recommends behind a buffering proxy (nginx keeps the clients'
connections alive): on publication day a cached public page costs about half a millisecond of
Python, and threaded workers in one process only queued behind each other's GIL (p99 of 0.3–0.8 s
with 16–32 threads, benchmarks/README.md). ``DTI_WORKERS`` sizes it: one or two per core.
"""

import os

bind = os.environ.get("DTI_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("DTI_WORKERS", "2"))
worker_class = "sync"
timeout = 60
graceful_timeout = 30
# Recycle workers now and then (bounded memory whatever a library leaks); jittered so that
# they do not all restart at once.
max_requests = 20_000
max_requests_jitter = 2_000
