"""The scheduler: idempotent jobs (``jobs``, no APScheduler) and the APScheduler wiring (``runner``)."""
