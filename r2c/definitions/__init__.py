"""Workflow definitions as data: schema, loader with per-gemeente overrides, versions, checks.

Core package: imports no web, database or scheduler framework.
"""

from r2c.definitions.catalog import Catalog, UnknownWorkflow, load_catalog
from r2c.definitions.graph import Edge, Graph, build_graph
from r2c.definitions.lint import check_warnings
from r2c.definitions.loader import Loaded, default_paths, load_all
from r2c.definitions.schema import Definition, Transitie
from r2c.definitions.voorwaarden import VOORWAARDEN, Voorwaarde

__all__ = [
    "Catalog", "Definition", "Edge", "Graph", "Loaded", "Transitie", "UnknownWorkflow", "VOORWAARDEN",
    "Voorwaarde", "build_graph", "check_warnings", "default_paths", "load_all", "load_catalog",
]
