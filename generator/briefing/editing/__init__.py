"""Commands that write content for editors: ``briefing init`` and ``briefing new``."""
