"""The route modules share only public names: what several need lives in a module of its own
(e.g. routes.wizard_session) or in a service, never as another module's private helper."""

from __future__ import annotations

import ast
from pathlib import Path

ROUTES = Path(__file__).resolve().parents[2] / "kiosk" / "routes"


def test_no_route_module_imports_a_private_name_of_another():
    borrowed = []
    for path in sorted(ROUTES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                borrowed += [f"{path.name}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    assert borrowed == []
