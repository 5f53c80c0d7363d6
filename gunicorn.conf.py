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
# they do not all restart at once. On publication day a worker serves ~450 cached pages a
# second: at 20,000 it restarted every 45 s, and each restart (Django imported anew, ~1 s)
# showed as a p99 of 1.8 s (benchmarks/README.md). The application is loaded once in the
# master (nothing there opens a database or Redis connection) so that a new worker is a fork.
max_requests = 200_000
max_requests_jitter = 20_000
preload_app = True
