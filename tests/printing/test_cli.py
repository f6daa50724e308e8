"""`python -m printing sample KIND -o OUT.pdf` and `python -m printing print`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from printing.__main__ import SAMPLES, main

from .pdf_tools import page_texts, qr_codes, render_pages


@pytest.mark.parametrize("kind", SAMPLES)
def test_every_sample_renders(kind, tmp_path, capsys):
    out = tmp_path / f"{kind}.pdf"
    assert main(["sample", kind, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert page_texts(out.read_bytes())[0].strip()
    assert capsys.readouterr().out.strip() == str(out)


@pytest.mark.parametrize("kind", SAMPLES)
def test_every_sample_carries_the_qr_code_its_real_document_carries(kind, tmp_path):
    """A sample stands for the real paper: the slips, receipts and rounds staff and citizens scan."""
    out = tmp_path / f"{kind}.pdf"
    main(["sample", kind, "-o", str(out)])
    [first_page, *_] = render_pages(out.read_bytes(), tmp_path, dpi=200)
    assert [code.text for code in qr_codes(first_page) if code.text]


def test_the_module_runs_as_a_command(tmp_path):
    out = tmp_path / "receipt.pdf"
    subprocess.run([sys.executable, "-m", "printing", "sample", "receipt", "-o", out], check=True)
    assert "受理回执" in page_texts(out.read_bytes())[0]


def test_print_to_the_file_backend(tmp_path, capsys):
    document = tmp_path / "receipt.pdf"
    main(["sample", "receipt", "-o", str(document)])
    capsys.readouterr()
    assert main(["print", str(document), "--backend", "file", "--folder", str(tmp_path / "prints")]) == 0
    job = capsys.readouterr().out.strip()
    assert (tmp_path / "prints" / job).read_bytes() == document.read_bytes()


def test_print_to_an_absent_queue_says_the_printer_is_unavailable(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no CUPS tools: unavailable, whatever the machine has
    document = tmp_path / "receipt.pdf"
    document.write_bytes(b"%PDF")
    assert main(["print", str(document), "--backend", "cups", "--queue", "nope"]) == 2
    assert "printer unavailable" in capsys.readouterr().err
