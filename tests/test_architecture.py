"""The layering of design.md holds: each layer imports only the layers it may.

core -> stdlib only; formats -> core; db -> core; services -> formats, db, core;
cli and web -> services, core and formats (value types, input models, pure readers: ADR 0008),
never db.
drill -> services, formats, core (an HTTP client of the service); cli -> drill.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "caucuskit"

ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    "formats": {"core", "formats"},
    "db": {"core", "db"},
    "services": {"core", "formats", "db", "services"},
    "cli": {"core", "formats", "services", "cli", "drill"},
    # the drill is a client of the service over HTTP (docs/adr/0010-drill-package.md)
    "drill": {"core", "formats", "services", "drill"},
    "web": {"core", "formats", "services", "web"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _files(layer: str) -> list[Path]:
    return sorted((SRC / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    bad = []
    for path in _files(layer):
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] == "caucuskit" and len(parts) > 1:
                target = parts[1]
                if target in ALLOWED and target not in ALLOWED[layer]:
                    bad.append(f"{path.relative_to(SRC)}:{line} imports {module}")
            elif (
                layer == "core"
                and parts[0] not in sys.stdlib_module_names
                and parts[0]
                not in {
                    "caucuskit",
                    "__future__",
                }
            ):
                bad.append(f"{path.relative_to(SRC)}:{line} imports third-party {module}")
    assert not bad, "layering broken:\n" + "\n".join(bad)


def test_core_has_no_float() -> None:
    """Delegate math is exact: no float() calls or float literals anywhere in core."""
    bad = []
    for path in _files("core"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id == "float":
                    bad.append(f"{path.name}:{node.lineno} calls float()")
            if isinstance(node, ast.Constant) and isinstance(node.value, float):
                bad.append(f"{path.name}:{node.lineno} float literal {node.value!r}")
    assert not bad, "\n".join(bad)


def test_edges_reading_formats_is_a_recorded_decision() -> None:
    """cli and web may import formats only because an ADR says so (and says why)."""
    adrs = list((SRC.parent.parent / "docs" / "adr").glob("*input-shapes-and-edges.md"))
    assert adrs, "the ADR that lets cli and web import formats is missing"
    assert "`cli` and `web` may import `formats`" in adrs[0].read_text(encoding="utf-8")


#: Modules of one concept stay about this small (design.md, "Small modules of one concept").
MODULE_LINES = 400
#: Larger modules allowed for a reason written here (none today: issue 15 split the last ones).
LARGER_TODAY: set[str] = set()


def test_modules_stay_small() -> None:
    big = {
        str(path.relative_to(SRC)): len(path.read_text(encoding="utf-8").splitlines())
        for path in SRC.rglob("*.py")
    }
    over = sorted(
        f"{name}: {n} lines"
        for name, n in big.items()
        if n > MODULE_LINES and name not in LARGER_TODAY
    )
    assert not over, f"modules over {MODULE_LINES} lines (split by concept):\n" + "\n".join(over)


def test_core_is_present() -> None:
    """Guard against the checks above passing on an empty tree."""
    assert len(_files("core")) >= 8
