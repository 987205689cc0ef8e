"""`newsletter render` writes every edition of an issue file, each in its language and direction."""

import yaml

from tests.cli import cli_env, ok, run_cli
from tests.editions.helpers import two_edition_data


def test_render_writes_each_edition(tmp_path):
    path = tmp_path / "issue.yaml"
    path.write_text(yaml.safe_dump(two_edition_data(2, arabic=True), allow_unicode=True), encoding="utf-8")
    said = ok(run_cli("render", str(path), "--out", str(tmp_path / "out"), cwd=tmp_path, env=cli_env(tmp_path)))
    assert [name for name in ("issue.html", "issue.es.html", "issue.ar.html") if name in said] == [
        "issue.html", "issue.es.html", "issue.ar.html"]
    assert '<html lang="ar" dir="rtl"' in (tmp_path / "out" / "issue.ar.html").read_text()
    assert "Hola, lector:" in (tmp_path / "out" / "issue.es.txt").read_text()  # a sample reader, in Spanish
    assert (tmp_path / "out" / "issue.txt").read_text().startswith("The Weekly Brief\n")
