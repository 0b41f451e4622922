"""Allows ``python -m generator``, the same as the ``briefing`` script."""

from generator.cli import run

run()
