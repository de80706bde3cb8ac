"""The domain and the CLI import no Textual, no Rich and no spaCy.

Checked in a fresh interpreter, since this test process may already have
loaded them for other tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("textual", "rich", "spacy")

# spaCy pipeline components: they run inside spaCy, which itself imports Rich,
# so they are loaded only by the recogniser, in a worker (checked below).
SPACY_COMPONENTS = ["reader.core.entity_rules"]

SCRIPT = """
import importlib, json, pkgutil, sys
import reader, reader.core
walked = [m.name for m in pkgutil.walk_packages(reader.core.__path__, "reader.core.")
          if m.name not in SKIPPED]
for name in walked:
    importlib.import_module(name)
import reader.cli
loaded = sorted({m.split(".")[0] for m in sys.modules})
print(json.dumps({"walked": walked, "loaded": loaded, "modules": sorted(sys.modules)}))
""".replace("SKIPPED", repr(SPACY_COMPONENTS))


def _run() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_core_and_cli_import_no_ui_or_nlp_libraries():
    report = _run()
    walked = set(report["walked"])
    # The walk really covered the domain, sub-packages included.
    assert {
        "reader.core.text",
        "reader.core.store",
        "reader.core.library",
        "reader.core.anchoring",
        "reader.core.entities",
        "reader.core.importers",
        "reader.core.importers.plaintext",
        "reader.core.export",
        "reader.core.export.markdown",
    } <= walked
    assert "reader.cli" in report["modules"]
    assert not any(m.startswith("reader.tui") for m in report["modules"])
    for name in FORBIDDEN:
        assert name not in report["loaded"], f"{name} was imported by the domain or the CLI"


def test_spacy_components_import_no_textual():
    script = (
        "import importlib, sys\n"
        f"for name in {SPACY_COMPONENTS!r}: importlib.import_module(name)\n"
        "print('textual' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_the_apps_start_up_path_imports_no_spacy_or_trafilatura():
    """What runs before the library's first screen is drawn: the launcher, the
    app and its first screen, and the command line (spaCy alone takes 0.7 s to
    import; urllib3, the http client, is loaded when a URL is imported)."""
    heavy = "{'spacy', 'trafilatura', 'tinydb', 'urllib3'}"
    script = (
        "import sys\n"
        "import reader.launch, reader.tui.app, reader.tui.screens.library, reader.cli\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {heavy}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
