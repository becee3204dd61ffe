"""gunicorn settings for `make run` (see README "Serving")."""

import multiprocessing
import os

# Two workers per core suit this I/O-bound app (PostGIS does the heavy lifting);
# threads let a worker overlap database waits. Two, not four: on 2 cores 16 requests at once
# queued on the CPU and the GIL, and at 32 connections p99 passed 1 s (bench/RESULTS.md).
workers = int(os.environ.get("WEB_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("WEB_THREADS", 2))
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# no query strings in the access log: share tokens and filters stay out of logs
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
# share-link tokens (/s/<token>) are masked as /s/*** in the access and error logs
logger_class = "app.logging.TokenMaskingLogger"
