"""The dev server: watch the sources, rebuild with the engine, serve the last good site
with live reload and an error overlay."""
