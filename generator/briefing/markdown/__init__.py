"""Markdown: our link, date and citation extensions (``extensions``), the converter
(``convert``), and quicker versions of Python-Markdown's own passes (``quick``), which
give the same HTML and are used only with a Python-Markdown version they were tested on."""
