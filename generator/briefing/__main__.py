"""Allows ``python -m briefing``, the same as the ``briefing`` script."""

from briefing.cli import run

run()
