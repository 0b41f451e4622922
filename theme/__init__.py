"""The bundled theme: templates/ and static/. This file makes the folder the package
``briefing.theme``, so an installed copy finds it with ``importlib.resources``."""
