"""Where our code is: the one list of our packages that tests scanning the source use, so an
app added or split is scanned without anyone remembering to list it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Tests and benchmarks may import anything and say anything; they are not the product.
LEFT_OUT = {"tests", "bench"}


def our_apps(root: Path = ROOT) -> set[str]:
    """Every package of ours at the top of the repository: the Django apps and config/."""
    return {
        path.name
        for path in root.iterdir()
        if (path / "__init__.py").exists() and path.name not in LEFT_OUT
    }
