"""`python -m photo`: exit codes and the JSON shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from photo.__main__ import main
from tests.photo import scenes


@pytest.fixture(scope="module")
def frames(tmp_path_factory, good_scene) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("frames")
    paths = {name: folder / f"{name}.jpg" for name in ("good", "blurred", "broken")}
    paths["good"].write_bytes(good_scene.jpeg())
    paths["blurred"].write_bytes(scenes.blurred(good_scene, 4).jpeg())
    paths["broken"].write_bytes(good_scene.jpeg()[:5000])
    return paths


def test_check_json_for_a_compliant_frame(frames, capsys):
    assert main(["check", str(frames["good"]), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert set(document) == {"ok", "checks", "crop"}
    assert document["ok"] is True
    assert len(document["crop"]) == 4
    for check in document["checks"]:
        assert set(check) == {"name", "ok", "value", "limit", "message"}


def test_check_json_for_a_failing_frame_in_a_chosen_language(frames, capsys):
    assert main(["check", str(frames["blurred"]), "--json", "--lang", "en"]) == 1
    document = json.loads(capsys.readouterr().out)
    failures = [check for check in document["checks"] if not check["ok"]]
    assert [check["name"] for check in failures] == ["sharpness"]
    assert failures[0]["message"] == "The picture is blurred: please hold still"


def test_check_text_defaults_to_simplified_chinese(frames, capsys):
    assert main(["check", str(frames["blurred"])]) == 1
    assert "照片模糊，请保持不动" in capsys.readouterr().out


def test_unreadable_input_exits_2(frames, capsys):
    assert main(["check", str(frames["broken"])]) == 2
    assert main(["crop", str(frames["broken"]), "-o", str(frames["broken"].with_suffix(".out.jpg"))]) == 2
    assert "broken.jpg" in capsys.readouterr().err


def test_crop_writes_the_id_photo(frames, tmp_path):
    output = tmp_path / "id.jpg"
    assert main(["crop", str(frames["good"]), "-o", str(output)]) == 0
    with Image.open(output) as photo:
        assert photo.size == (358, 441)


def test_crop_lists_the_failed_checks(frames, tmp_path, capsys):
    output = tmp_path / "id.jpg"
    assert main(["crop", str(frames["blurred"]), "-o", str(output), "--lang", "zh_Hant"]) == 1
    error = capsys.readouterr().err
    assert "sharpness" in error and "照片模糊，請保持不動" in error
    assert not output.exists()


def test_runs_as_a_module(frames):
    result = subprocess.run(
        [sys.executable, "-m", "photo", "check", str(frames["good"]), "--json"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True
    assert result.stderr == ""
