"""What the code uses is declared, bounded above, and locked with hashes.

- Every third-party module the code imports belongs to a distribution that
  pyproject.toml declares: the application's (accounts, questions, quiz, config,
  manage.py) in [project.dependencies], the tests' there or in the `test` extra.
  Imports are read with ast, so function-local imports count, and so do
  `pytest.importorskip("x")`, `importlib.import_module("x")`, `[python, "-m", "x"]`
  and the apps, middleware and backends settings name by dotted path. Module
  names map to distributions through importlib.metadata.
- Nothing is declared that nothing uses (the few used without an import are named
  below, each with where it is used).
- Every requirement has an upper bound.
- requirements.lock pins every declared package, and everything those need, at a
  version the bounds allow, each with its hashes; the installed versions are the
  locked ones (`make install` installs from the lock).
"""

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
APP_SOURCES = ["accounts", "questions", "quiz", "config", "manage.py"]
TEST_SOURCES = ["tests"]
FIRST_PARTY = {"accounts", "questions", "quiz", "config", "tests", "manage"}
SETTINGS = ROOT / "config" / "settings.py"
LOCK = ROOT / "requirements.lock"

# Declared and used, but never imported nor named by a settings path.
USED_WITHOUT_IMPORT = {
    "ruff": "`make lint` and .ci/run",
    "django-stubs": "mypy's Django plugin ([tool.mypy]; `make lint`, .ci/run)",
    "pytest-django": "the pytest plugin that runs the suite against Django",
    "pillow": "qrcode writes the certificate's QR code as a PNG with it "
    "(quiz/certificates/pdf.py); pypdf reads it back with it in the tests",
}

# Settings whose values are module paths (as are any *_BACKEND, *_ENGINE and
# "BACKEND" entries).
SETTINGS_PATHS = {"INSTALLED_APPS", "MIDDLEWARE", "AUTHENTICATION_BACKENDS"}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _runtime_requirements() -> list[Requirement]:
    return [Requirement(line) for line in _pyproject()["project"]["dependencies"]]


def _test_requirements() -> list[Requirement]:
    extras = _pyproject()["project"]["optional-dependencies"]
    return [Requirement(line) for line in extras["test"]]


def _build_requirements() -> list[Requirement]:
    return [Requirement(line) for line in _pyproject()["build-system"]["requires"]]


def _all_requirements() -> list[Requirement]:
    extras = _pyproject()["project"]["optional-dependencies"]
    return [
        *_runtime_requirements(),
        *(Requirement(line) for lines in extras.values() for line in lines),
        *_build_requirements(),
    ]


def _names(requirements: list[Requirement]) -> set[str]:
    return {canonicalize_name(requirement.name) for requirement in requirements}


def _python_files(sources: list[str]) -> list[Path]:
    files: list[Path] = []
    for source in sources:
        path = ROOT / source
        files.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return files


def _string(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _imported_modules(path: Path) -> set[str]:
    """Top-level modules a file imports, in any of the ways listed above."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Call) and node.args:
            function = node.func
            called = getattr(function, "attr", getattr(function, "id", ""))
            argument = _string(node.args[0])
            if called in {"importorskip", "import_module"} and argument:
                found.add(argument)
        elif isinstance(node, ast.List):
            items = [_string(item) for item in node.elts]
            found.update(
                module
                for flag, module in zip(items, items[1:], strict=False)
                if flag == "-m" and module
            )
    return {module.split(".")[0] for module in found}


def _settings_modules() -> set[str]:
    """Top-level modules config/settings.py names: apps, middleware, backends."""
    named: list[ast.AST] = []
    for node in ast.walk(ast.parse(SETTINGS.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign):
            targets = {getattr(target, "id", "") for target in node.targets}
            if targets & SETTINGS_PATHS or any(
                target.endswith(("_BACKEND", "_ENGINE")) for target in targets
            ):
                named.append(node.value)
        elif isinstance(node, ast.Dict):
            named.extend(
                value
                for key, value in zip(node.keys, node.values, strict=True)
                if key is not None and _string(key) == "BACKEND"
            )
    return {
        path.split(".")[0]
        for value in named
        for item in ast.walk(value)
        if (path := _string(item))
    }


def _distributions(modules: set[str]) -> tuple[set[str], set[str]]:
    """(distributions providing the third-party modules, modules nothing provides)."""
    providers = metadata.packages_distributions()
    distributions: set[str] = set()
    unknown: set[str] = set()
    for module in modules - FIRST_PARTY - set(sys.stdlib_module_names):
        if module in providers:
            distributions.update(canonicalize_name(name) for name in providers[module])
        else:
            unknown.add(module)
    return distributions, unknown


def _app_modules() -> set[str]:
    modules = {
        m for path in _python_files(APP_SOURCES) for m in _imported_modules(path)
    }
    return modules | _settings_modules()


def _test_modules() -> set[str]:
    return {m for path in _python_files(TEST_SOURCES) for m in _imported_modules(path)}


def _undeclared(modules: set[str], declared: set[str]) -> list[str]:
    providers = metadata.packages_distributions()
    _, unknown = _distributions(modules)
    problems = [
        f"{module} (no installed distribution provides it)" for module in unknown
    ]
    for module in modules - FIRST_PARTY - set(sys.stdlib_module_names) - unknown:
        names = {canonicalize_name(name) for name in providers[module]}
        if not names & declared:
            problems.append(f"{module} (from {', '.join(sorted(names))})")
    return sorted(problems)


def _lock() -> dict[str, tuple[Version, list[str]]]:
    """requirements.lock as {name: (version, hashes)}; fails on anything unpinned."""
    entries: dict[str, tuple[Version, list[str]]] = {}
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^;\s]+)", requirement)
        assert match, f"requirements.lock: {requirement!r} is not pinned with =="
        hashes = [option for option in options if option.startswith("--hash=sha256:")]
        assert hashes and len(hashes) == len(options), f"requirements.lock: {line!r}"
        entries[canonicalize_name(match[1])] = (Version(match[2]), hashes)
    return entries


def test_the_application_imports_only_its_declared_dependencies():
    undeclared = _undeclared(_app_modules(), _names(_runtime_requirements()))
    assert not undeclared, (
        "imported by the application but not in [project.dependencies]: "
        + "; ".join(undeclared)
    )


def test_the_tests_import_only_declared_dependencies():
    declared = _names(_runtime_requirements()) | _names(_test_requirements())
    undeclared = _undeclared(_test_modules(), declared)
    assert not undeclared, (
        "imported by the tests but declared neither in [project.dependencies] nor "
        "in the test extra: " + "; ".join(undeclared)
    )


def test_the_import_walk_sees_the_ways_modules_are_named():
    # A check that found nothing would pass; these are known uses of each kind.
    app = _app_modules()
    assert {"reportlab", "qrcode", "nh3"} <= app  # import, from-import
    assert {"bootstrap", "crispy_bootstrap5", "axes", "django_redis"} <= app  # settings
    tests = _test_modules()
    assert {"zxingcpp", "gunicorn", "playwright"} <= tests  # importorskip, -m, import


def test_every_declared_dependency_is_used():
    used, _ = _distributions(_app_modules() | _test_modules())
    used |= set(USED_WITHOUT_IMPORT)
    declared = _names(_runtime_requirements()) | _names(_test_requirements())
    assert not declared - used, f"declared but never used: {sorted(declared - used)}"
    stale = set(USED_WITHOUT_IMPORT) - declared
    assert not stale, f"USED_WITHOUT_IMPORT names undeclared packages: {stale}"


def test_the_application_does_not_use_test_dependencies():
    only_for_tests = _names(_test_requirements()) - _names(_runtime_requirements())
    used, _ = _distributions(_app_modules())
    assert not used & only_for_tests


def test_every_dependency_has_an_upper_bound():
    unbounded = [
        str(requirement)
        for requirement in _all_requirements()
        if not any(
            spec.operator in {"<", "<=", "==", "~=", "==="}
            for spec in requirement.specifier
        )
    ]
    assert not unbounded, f"no upper bound: {unbounded}"


def test_the_lock_pins_every_declared_dependency_with_hashes():
    lock = _lock()
    problems = []
    for requirement in _all_requirements():
        name = canonicalize_name(requirement.name)
        if name not in lock:
            problems.append(f"{requirement}: not in requirements.lock")
        elif not requirement.specifier.contains(lock[name][0], prereleases=True):
            problems.append(f"{requirement}: the lock pins {lock[name][0]}")
    assert not problems, "; ".join(problems)


def test_the_lock_holds_everything_the_locked_packages_need():
    # What pip would refuse with --require-hashes, said by name: each locked
    # package's own requirements, and those of the extras pyproject asks for.
    lock = _lock()
    asked_extras: dict[str, set[str]] = {}
    for requirement in _all_requirements():
        asked_extras.setdefault(canonicalize_name(requirement.name), set()).update(
            requirement.extras
        )
    missing = []
    for name in lock:
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here; the installed-versions test says so
        for line in requires:
            needed = Requirement(line)
            environments = [
                {**default_environment(), "extra": extra}
                for extra in {"", *asked_extras.get(name, ())}
            ]
            if needed.marker and not any(
                needed.marker.evaluate(environment) for environment in environments
            ):
                continue
            if canonicalize_name(needed.name) not in lock:
                missing.append(f"{needed} (needed by {name})")
    assert not missing, f"not in requirements.lock: {sorted(missing)}"


def test_the_installed_versions_are_the_locked_ones():
    differ = []
    for name, (version, _) in _lock().items():
        try:
            installed = Version(metadata.version(name))
        except metadata.PackageNotFoundError:
            differ.append(f"{name} {version}: not installed")
            continue
        if installed != version:
            differ.append(f"{name}: {installed} installed, {version} locked")
    assert not differ, "run `make install`: " + "; ".join(differ)
