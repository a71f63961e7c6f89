"""Features built on the service that turn a challenge's data into files people use: its letters on demand
(HTML, PDF; ``letters``) and the deadlines as a calendar feed (iCalendar; ``agenda``).

They read through the service (so its access rules apply) and render with r2c.notify; the channel adapters in
r2c.notify never call the service, these do. See docs/architecture.md.
"""
