import json
import subprocess

import pytest
import yaml

from newsletter.content import load_issue_file
from newsletter.errors import IssueFileError
from tests.conftest import BIN
from tests.factories import issue_data, item


def write(tmp_path, data, name="issue.yaml"):
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(data, default=str), encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def error_of(path):
    with pytest.raises(IssueFileError) as caught:
        load_issue_file(path)
    return str(caught.value)


def test_yaml_and_json_files_give_the_same_issue(tmp_path):
    data = issue_data(3)
    from_yaml = load_issue_file(write(tmp_path, data))
    from_json = load_issue_file(write(tmp_path, data, "issue.json"))
    assert from_yaml == from_json
    assert [i.headline for i in from_yaml.items] == ["Headline number 1", "Headline number 2", "Headline number 3"]


def test_subject_and_preheader_are_derived_when_absent(tmp_path):
    content = load_issue_file(write(tmp_path, issue_data(1)))
    assert content.effective_subject == "The Weekly Brief: 29 December 2023"
    assert content.effective_preheader == "Just a quick update in case you missed it."
    assert content.slug == "2023-12-29-the-weekly-brief"


def test_sections_keep_their_titles_and_order(tmp_path):
    data = issue_data(0)
    del data["items"]
    data["sections"] = [{"title": "Asia", "items": [item(1), item(2)]}, {"title": "Europe", "items": [item(3)]}]
    content = load_issue_file(write(tmp_path, data))
    assert [s.title for s in content.sections] == ["Asia", "Europe"]
    assert [i.url for i in content.items] == [f"https://example.org/news/{n}" for n in (1, 2, 3)]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"headline": None}, "item 2, headline: "),
        ({"blurb": "   "}, "item 2, blurb: must not be empty"),
        ({"url": "javascript:alert(1)"}, "item 2, url: must be an absolute http:// or https:// URL, got 'javascript:alert(1)'"),
        ({"url": "/relative"}, "item 2, url: must be an absolute http"),
        ({"image": "https://example.org/i.png"}, "item 2: image_alt is required when image is set"),
        ({"headline": "Two\nlines"}, "item 2, headline: must be a single line"),
        ({"hedline": "typo"}, "item 2, hedline: is not a known field"),
    ],
)
def test_invalid_item_is_reported_with_file_item_and_field(tmp_path, change, expected):
    data = issue_data(3)
    data["items"][1] = {**data["items"][1], **change}
    data["items"][1] = {k: v for k, v in data["items"][1].items() if v is not None}
    path = write(tmp_path, data)
    message = error_of(path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_items_in_sections_are_located_by_section_and_item(tmp_path):
    data = issue_data(0)
    del data["items"]
    data["sections"] = [{"items": [item(1)]}, {"title": "Two", "items": [item(2), item(3, url="mailto:x@example.org")]}]
    assert "section 2, item 2, url: must be an absolute" in error_of(write(tmp_path, data))


def test_every_error_of_a_file_is_reported_at_once(tmp_path):
    data = issue_data(3)
    data["items"][0]["url"] = "javascript:void(0)"
    data["items"][2]["blurb"] = ""
    del data["title"]
    message = error_of(write(tmp_path, data))
    assert "title: is required" in message
    assert "item 1, url:" in message
    assert "item 3, blurb:" in message


def test_unparseable_yaml_names_the_line(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("title: x\ndate: 2023-12-29\nitems:\n  - headline: [unclosed\n", encoding="utf-8")
    assert "broken.yaml: invalid YAML at line" in error_of(path)


def test_missing_file_and_non_mapping_are_clear(tmp_path):
    assert "no such file" in error_of(tmp_path / "absent.yaml")
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert "expected a mapping" in error_of(path)


def test_cli_reports_a_bad_file_with_exit_status_1_and_no_traceback(tmp_path):
    data = issue_data(2)
    data["items"][1]["url"] = "javascript:alert(1)"
    path = write(tmp_path, data)
    result = subprocess.run(
        [BIN / "newsletter", "render", str(path), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 1
    assert "item 2, url: must be an absolute http:// or https:// URL" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()
