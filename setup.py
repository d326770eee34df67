"""Only the package list lives here: it follows the feature list in src/features.py,
so that a new feature is one folder and one line there (everything else: pyproject)."""

import ast
from pathlib import Path

from setuptools import setup


def features() -> list[str]:
    tree = ast.parse(Path(__file__).with_name("src").joinpath("features.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(getattr(t, "id", None) == "FEATURES" for t in targets) and node.value:
                return list(ast.literal_eval(node.value))
    raise SystemExit("src/features.py has no FEATURES")


# Besides the features, the kernel's one package: the OpenAPI contract (src/api_docs/).
setup(packages=["wcr", "wcr.api_docs", *(f"wcr.{name}" for name in features())])
