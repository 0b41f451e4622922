"""Stages 4 and 5: the search index of the rendered pages, and writing them, swapped in whole."""
