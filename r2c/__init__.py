"""r2c: a Right to Challenge (uitdaagrecht) case-workflow engine for Dutch gemeenten."""

__version__ = "0.1.0"
