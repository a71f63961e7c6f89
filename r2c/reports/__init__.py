"""Reports on the uitdaagrecht for the raad and the country: the year report of a gemeente (participatieparagraaf:
figures, charts; HTML, PDF, CSV, JSON) and open data (CSV, JSON, CC0) that many gemeenten's files combine into a
national overview. Every figure is an SQL aggregate (r2c.store.reports) over the read model the
history keeps (r2c.store.readmodel); docs/rapportage.md.
"""
