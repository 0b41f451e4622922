"""URLs: every link the site prints goes through these, so the base path is
applied in one place and the site works at a domain root or under a path."""

from __future__ import annotations

from briefing.content.config import SiteConfig
from briefing.content.schema import FOLDERS


class Urls:
    def __init__(self, config: SiteConfig) -> None:
        self.base_path = config.base_path
        self.base_url = config.base_url

    def page(self, path: str) -> str:
        """Site-relative ``path`` (no leading slash) to a root-relative URL."""
        return self.base_path + path.lstrip("/")

    def absolute(self, path: str) -> str:
        return self.base_url + path.lstrip("/")

    def record_path(self, kind: str, rid: str) -> str:
        return f"{FOLDERS[kind]}/{rid}/"

    def date_path(self, date: str) -> str:
        return f"dates/{date}/"

    def tag_path(self, slug: str) -> str:
        return f"tags/{slug}/"


def output_file(path: str) -> str:
    """The file a page path is written to: ``actors/x/`` -> ``actors/x/index.html``."""
    return path + "index.html" if path == "" or path.endswith("/") else path
