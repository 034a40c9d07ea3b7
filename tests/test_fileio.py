"""fileio: every input form reads the same text; outputs appear only on success."""
from __future__ import annotations

import gzip
import io
import os
import sys
from pathlib import Path

import pytest

from refseqtracks.errors import RefseqtracksError
from refseqtracks.fileio import atomic_output, input_name, open_input

TEXT = "a\tb\r\nc\xe9\td\n\xff-not-utf8-surrogate\n"
RAW = TEXT.encode("utf-8", "surrogateescape")


@pytest.fixture(params=["str", "path", "binary-file", "text-file", "stdin", "gzip"])
def source(request, tmp_path, monkeypatch):
    plain = tmp_path / "in.txt"
    plain.write_bytes(RAW)
    kind = request.param
    if kind == "str":
        return str(plain)
    if kind == "path":
        return plain
    if kind == "binary-file":
        fh = open(plain, "rb")
        request.addfinalizer(fh.close)
        return fh
    if kind == "text-file":
        fh = open(plain, "r", encoding="utf-8", errors="surrogateescape", newline="")
        request.addfinalizer(fh.close)
        return fh
    if kind == "stdin":
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(RAW)))
        return "stdin"
    gz = tmp_path / "in.txt.whatever"  # gzip is recognised by content, not name
    gz.write_bytes(gzip.compress(RAW))
    return gz


def test_every_source_reads_identical_text(source):
    with open_input(source) as f:
        assert f.read() == TEXT


def test_binary_mode_gives_bytes(tmp_path):
    p = tmp_path / "x.gz"
    p.write_bytes(gzip.compress(RAW))
    with open_input(p, binary=True) as f:
        assert f.read() == RAW


def test_caller_file_object_is_left_open(tmp_path):
    p = tmp_path / "x"
    p.write_bytes(RAW)
    with open(p, "rb") as fh:
        f = open_input(fh)
        f.read()
        f.close()
        assert not fh.closed


def test_truncated_gzip_is_our_error(tmp_path):
    p = tmp_path / "t.gz"
    p.write_bytes(gzip.compress(RAW * 1000)[:-40])
    with pytest.raises(RefseqtracksError, match="cannot decompress"):
        with open_input(p) as f:
            f.read()


def test_missing_file_is_our_error(tmp_path):
    with pytest.raises(RefseqtracksError, match="can't open"):
        open_input(tmp_path / "nope")


def test_directory_is_our_error(tmp_path):
    with pytest.raises(RefseqtracksError):
        open_input(tmp_path)


def test_input_name_is_what_the_user_gave(tmp_path):
    assert input_name("some/path.gff3") == "some/path.gff3"
    assert input_name(Path("p.gff3")) == "p.gff3"


def test_atomic_output_appears_on_success(tmp_path):
    dest = tmp_path / "out.txt"
    with atomic_output(dest) as f:
        f.write("hello\n")
        assert not dest.exists()
    assert dest.read_text() == "hello\n"
    assert os.listdir(tmp_path) == ["out.txt"]


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    dest = tmp_path / "out.txt"
    with pytest.raises(ValueError):
        with atomic_output(dest) as f:
            f.write("partial")
            raise ValueError("boom")
    assert os.listdir(tmp_path) == []


def test_atomic_output_keeps_old_file_on_failure(tmp_path):
    dest = tmp_path / "out.txt"
    dest.write_text("old\n")
    with pytest.raises(RuntimeError):
        with atomic_output(dest) as f:
            f.write("new")
            raise RuntimeError
    assert dest.read_text() == "old\n"


def test_atomic_output_to_stdout(capsys):
    with atomic_output("stdout") as f:
        f.write("x\n")
    assert capsys.readouterr().out == "x\n"


def test_atomic_output_round_trips_odd_bytes(tmp_path):
    dest = tmp_path / "o"
    with atomic_output(dest) as f:
        f.write(TEXT)
    assert dest.read_bytes() == RAW


def test_atomic_output_unwritable_folder_is_our_error(tmp_path):
    with pytest.raises(RefseqtracksError, match="can't open"):
        with atomic_output(tmp_path / "no" / "such" / "dir" / "f"):
            pass


def test_spool_stdin_copies_bytes_and_keeps_the_name(tmp_path, monkeypatch):
    from refseqtracks.fileio import is_stdin, spool_stdin
    data = b"\x1f\x8b not really gzip, copied as it is\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    path = spool_stdin("-", str(tmp_path))
    assert Path(path).read_bytes() == data and os.path.dirname(path) == str(tmp_path)
    assert input_name(path) == "-" and is_stdin("-") and not is_stdin(path) and not is_stdin("stdout")


def test_spool_stdin_to_a_missing_folder_is_our_error(tmp_path, monkeypatch):
    from refseqtracks.fileio import spool_stdin
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x\n")))
    with pytest.raises(RefseqtracksError, match="can't copy stdin to a temporary file"):
        spool_stdin("stdin", str(tmp_path / "missing"))


@pytest.mark.parametrize("how", ["read", "chunks", "readline", "readinto", "read1", "peek"])
def test_binary_gzip_reads_and_failures(tmp_path, how):
    # (a gzip input in binary mode is read straight from the decompressor)
    data = RAW * 2000
    good, bad = tmp_path / "x.gz", tmp_path / "cut.gz"
    good.write_bytes(gzip.compress(data))
    bad.write_bytes(gzip.compress(data)[:-20])

    def read_all(f) -> bytes:
        if how == "read":
            return f.read()
        out = b""
        while True:
            if how == "chunks":
                piece = f.read(1000)
            elif how == "readline":
                piece = f.readline()
            elif how == "readinto":
                buf = bytearray(777)
                piece = bytes(buf[:f.readinto(buf)])
            elif how == "read1":
                piece = f.read1(500)
            else:
                f.peek(10)
                piece = f.read(300)
            if not piece:
                return out
            out += piece

    with open_input(good, binary=True) as f:
        assert read_all(f) == data
    with pytest.raises(RefseqtracksError, match="cut.gz: cannot decompress"):
        with open_input(bad, binary=True) as f:
            read_all(f)
