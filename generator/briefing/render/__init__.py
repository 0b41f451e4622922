"""Stage 3, render: the page list, view models, templates, JSON-LD, feeds and the theme."""
