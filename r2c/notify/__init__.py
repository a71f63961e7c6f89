"""Notification adapters: rendering (Jinja2 e-mails and letters, the huisstijl per gemeente), routing outbox
messages to recipients, and the channels that deliver them (e-mail, webhook, log; entry points ``r2c.channels``).
Nothing here calls the service: the planner (r2c.scheduler) feeds them from the outbox."""
