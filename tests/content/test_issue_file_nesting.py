"""Issue files a parser chokes on (nesting deeper than Python's stack, numbers and dates it
cannot hold) are reported by the installed command in one line, never with a traceback."""

import pytest

from tests.cli import cli_env, run_cli

DEPTH = 100_000


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("deep.json", "[" * DEPTH + "]" * DEPTH, "deep.json: nested too deeply"),
    ("deep.yaml", "title: " + "[" * DEPTH + "]" * DEPTH + "\n", "deep.yaml: nested too deeply"),
    ("indented.yaml", "".join("  " * level + "a:\n" for level in range(3000)), "indented.yaml: nested too deeply"),
    ("long-number.json", '{"title": ' + "9" * 5000 + "}", "long-number.json: invalid JSON: Exceeds the limit"),
    ("long-number.yaml", "title: " + "9" * 5000 + "\n", "long-number.yaml: invalid YAML: Exceeds the limit"),
    ("bad-date.yaml", "title: A\ndate: 2024-13-45\nitems: []\n", "bad-date.yaml: invalid YAML: month must be in 1..12"),
])
@pytest.mark.parametrize("command", [("issue", "import"), ("render",)])
def test_a_file_the_parser_chokes_on_is_a_one_line_error(tmp_path, name, text, expected, command):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    env = cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}")
    extra = ("--out", str(tmp_path / "out")) if command == ("render",) else ()
    result = run_cli(*command, str(path), *extra, cwd=tmp_path, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.count("\n") == 1, result.stderr[-2000:]
    assert result.stderr.startswith(f"error: {path}") and expected in result.stderr
