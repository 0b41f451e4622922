"""briefing: a static site generator for curated briefing records."""

__version__ = "0.1.0"
