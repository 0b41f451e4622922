"""Allows ``python -m generator``, the same as the ``briefing`` script."""

import sys

from generator.cli import main

sys.exit(main())
