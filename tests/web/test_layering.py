"""The web layer's own layering, read from the source: the pages (web/admin) and the API
(web/api) share view models through the neutral web/views.py, never through each other, and
a page takes its constants from there too, not from another page."""

import ast
from pathlib import Path

import newsletter.web

WEB = Path(newsletter.web.__file__).parent
SHARED_BY_PAGES = {"newsletter.web.admin.render"}  # how a page is rendered: the pages' own helper


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports, by its full name (``from a import b`` counts as a and a.b)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules(package: str) -> dict[str, set[str]]:
    """{file name: what it imports} for each module of ``newsletter.web.<package>``."""
    return {path.name: imported(path) for path in sorted((WEB / package).glob("*.py"))}


def within(names: set[str], package: str) -> set[str]:
    return {name for name in names if name == package or name.startswith(package + ".")}


def test_no_page_imports_the_api():
    found = {name: within(names, "newsletter.web.api") for name, names in modules("admin").items()}
    assert {name: sorted(api) for name, api in found.items() if api} == {}


def test_the_api_imports_no_page():
    found = {name: within(names, "newsletter.web.admin") for name, names in modules("api").items()}
    assert {name: sorted(pages) for name, pages in found.items() if pages} == {}


def test_a_page_imports_no_other_page():
    pages = modules("admin")
    found = {name: {other for other in within(names, "newsletter.web.admin") - {"newsletter.web.admin"}
                    if not any(within({other}, shared) for shared in SHARED_BY_PAGES)}
             for name, names in pages.items() if name != "__init__.py"}  # the package gathers the routers
    assert {name: sorted(others) for name, others in found.items() if others} == {}


def test_the_scan_sees_imports():  # the AST scan itself: a check that finds nothing must be able to
    source = WEB / "admin" / "sends.py"
    assert "newsletter.web.views" in imported(source) and "newsletter.web.admin.render" in imported(source)
