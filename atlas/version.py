"""The version of atlas, in a module of its own: a saved result records it without importing
the whole package (``atlas/__init__.py`` imports every registry)."""

__version__ = "0.1.0"
