"""The networks files of machines' clicks and opens are read when the settings load: a file that
cannot be used stops the service with the line that is wrong, rather than failing a reader's
click; one that goes bad later counts as no network."""

import pytest
from pydantic import ValidationError

from newsletter.networks import in_networks, machine_networks
from tests.cli import cli_env, run_cli
from tests.conftest import make_settings


@pytest.mark.parametrize("setting", ["machine_click_networks", "machine_open_networks"])
def test_a_bad_networks_file_is_refused_with_its_line(tmp_path, setting):
    bad = tmp_path / "networks.txt"
    bad.write_text("# scanners\n10.0.0.0/8\nscanner.example.com\n")
    with pytest.raises(ValidationError) as refused:
        make_settings(tmp_path, **{setting: bad})
    assert "line 3: 'scanner.example.com' is not a network" in str(refused.value)
    with pytest.raises(ValidationError) as missing:
        make_settings(tmp_path, **{setting: tmp_path / "gone.txt"})
    assert f"cannot read {tmp_path / 'gone.txt'}" in str(missing.value)


def test_the_command_says_so_in_a_line(tmp_path):
    env = {**cli_env(tmp_path, database_url=f"sqlite:///{tmp_path / 'n.db'}"),
           "NEWSLETTER_MACHINE_CLICK_NETWORKS": str(tmp_path / "gone.txt")}
    result = run_cli("lists", "list", cwd=tmp_path, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot read" in result.stderr and "gone.txt" in result.stderr


def test_a_file_gone_bad_after_loading_counts_as_no_network(tmp_path):
    listed = tmp_path / "scanners.txt"
    listed.write_text("203.0.113.0/24\n")
    assert in_networks(listed, "203.0.113.9") and not in_networks(listed, "198.51.100.1")
    other = tmp_path / "other.txt"
    other.write_text("not a network\n")
    machine_networks.cache_clear()
    assert in_networks(other, "203.0.113.9") is False  # logged, never raised at a reader
    assert in_networks(None, "203.0.113.9") is False
