"""The tool as users install it: a wheel, in a fresh virtual environment.

The editable install that ``make`` uses finds everything in the checkout, so it once
hid a wheel without its theme. Here the wheel is built as ``pip install .`` builds it,
its contents are checked against the source tree (after Pelican's test of its wheel),
and it is installed into a new venv that builds, checks and serves a site with only
``site.toml`` and ``content/``, from a folder outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, SITES

PACKAGE = REPO / "generator" / "briefing"
THEME = REPO / "theme"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``pip install .`` would build from this checkout."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("briefing-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with the wheel and its dependencies (at the pinned versions); its bin/."""
    env_dir = tmp_path_factory.mktemp("venv") / "env"
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    proc = subprocess.run(
        [*pip, "-c", str(REPO / "constraints.txt"), str(wheel)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return env_dir / "bin"


def _source_files() -> set[str]:
    """What the wheel must hold: every module, the reload script, the theme."""
    names = {f"briefing/{p.relative_to(PACKAGE).as_posix()}" for p in PACKAGE.rglob("*") if _shipped(p)}
    names |= {f"briefing/theme/{p.relative_to(THEME).as_posix()}" for p in THEME.rglob("*") if _shipped(p)}
    return names


def _shipped(path: Path) -> bool:
    return path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"


def test_the_wheel_holds_every_module_the_theme_and_the_reload_script(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    expected = _source_files()
    assert expected - names == set(), "files of the source tree missing from the wheel"
    assert {"briefing/theme/templates/base.html", "briefing/serve/reload.js", "briefing/py.typed"} <= names
    assert {"briefing/editing/starter/site.toml", "briefing/editing/starter/gitignore"} <= names
    assert any(n.startswith("briefing/theme/static/") and n.endswith(".css") for n in names)
    assert not [n for n in names if n.split("/")[0] not in ("briefing",) and ".dist-info/" not in n], (
        "the wheel installs nothing but the briefing package (no top-level 'generator')"
    )
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)


@pytest.fixture
def bare_site(tmp_path: Path) -> Path:
    """A site with only site.toml and content/, far from the checkout."""
    site = tmp_path / "desk"
    shutil.copytree(SITES / "valid", site, ignore=shutil.ignore_patterns(".briefing-cache", "public"))
    assert not (site / "theme").exists()
    return site


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(bin_dir / "briefing"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_installed_tool_builds_and_checks_a_site_without_a_theme_folder(installed: Path, bare_site: Path) -> None:
    built = _run(installed, "build", cwd=bare_site)
    assert built.returncode == 0, built.stderr
    assert "error" not in built.stderr
    home = (bare_site / "public" / "index.html").read_text()
    assert '<link rel="stylesheet"' in home and "/static/style." in home
    assert list((bare_site / "public" / "static").glob("style.*.css")), "the bundled stylesheet is written"
    assert (bare_site / "public" / "pagefind" / "pagefind.js").is_file(), "search works from the wheel"
    checked = _run(installed, "check", cwd=bare_site)
    assert checked.returncode == 0, checked.stderr


def test_the_installed_tool_starts_a_site_that_checks_clean_and_builds(installed: Path, tmp_path: Path) -> None:
    started = _run(installed, "init", "desk", cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    site = tmp_path / "desk"
    assert (site / ".gitignore").is_file() and (site / "content/briefs/welcome.md").is_file()
    checked = _run(installed, "check", "--strict", cwd=site)
    assert (checked.returncode, checked.stderr.count(": error:"), checked.stderr.count(": warning:")) == (0, 0, 0)
    built = _run(installed, "build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert (site / "public/briefs/welcome/index.html").is_file()


def test_the_installed_package_imports_as_briefing(installed: Path, tmp_path: Path) -> None:
    code = "import briefing, briefing.cli; print(briefing.__file__)"
    proc = subprocess.run(
        [str(installed / "python"), "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "site-packages" in proc.stdout and str(REPO) not in proc.stdout


@pytest.fixture
def serving(installed: Path, bare_site: Path) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.Popen(
        [str(installed / "briefing"), "serve", "--port", "0"], cwd=bare_site, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stderr is not None
        address = ""
        for line in proc.stderr:
            if line.startswith("serving "):
                address = line.split()[1]
                break
        assert address.startswith("http://127.0.0.1:"), "serve printed no address"
        yield address  # the site's home, under base_url's path
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_installed_tool_serves_with_live_reload(serving: str) -> None:
    with urllib.request.urlopen(serving, timeout=30) as reply:
        page = reply.read().decode()
    assert "/static/style." in page and "/__briefing/reload.js" in page
    root = serving.split("/", 3)[:3]
    with urllib.request.urlopen("/".join(root) + "/__briefing/reload.js", timeout=30) as reply:
        assert b"EventSource" in reply.read()
