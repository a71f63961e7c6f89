"""The link with the gemeente's zaaksysteem through the ZGW APIs (Zaken, Catalogi, Documenten, Besluiten).

``config`` reads which APIs and credentials each gemeente uses (``R2C_ZGW_CONFIG``, a TOML file); ``client`` calls
them; ``zaaktype`` maps a workflow version to the Catalogi API's bodies and ``catalogi`` publishes them. See
docs/zgw.md.
"""
