"""``regflow export``: each subject from the command line, and bad input as one clear line on
standard error with exit code 1 (never a traceback, never a half-written file)."""

from datetime import date

import pytest

from regflow.cli.main import main
from regflow.engine.register.api import Register

from conftest import REVIEW


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "register.db"
    with Register(path, today=date(2026, 3, 1)) as reg:
        case = reg.new_case(REVIEW, "Example council", date(2026, 1, 5))
        reg.fire(case.id, "fieldwork_started", date(2026, 2, 2))
        reg.fire(case.id, "fieldwork_completed", date(2026, 2, 6), {"concern": "none"})
    return path


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_spec_a_case_and_the_register(capsys, tmp_path, db):
    code, out, _ = run(capsys, "export", "mermaid", REVIEW, "-o", tmp_path / "r.mmd")
    assert code == 0 and out == f"wrote {tmp_path / 'r.mmd'} (mermaid: {REVIEW})\n"
    assert (tmp_path / "r.mmd").read_text().startswith("stateDiagram-v2")
    code, out, _ = run(capsys, "export", "ics", "--case", 1, "--db", db, "--today", "2026-03-01",
                       "-o", tmp_path / "c.ics")
    assert code == 0 and "(ics: case 1)" in out
    assert b"BEGIN:VEVENT" in (tmp_path / "c.ics").read_bytes()
    code, out, _ = run(capsys, "export", "csv", "--register", "--db", db, "-o", tmp_path / "r.csv")
    assert code == 0 and "(csv: the register)" in out
    code, out, _ = run(capsys, "export", "json", "ciw_2019", "-o", "-")  # a shipped spec's id
    assert code == 0 and '"id": "ciw_2019"' in out


@pytest.mark.parametrize(("args", "message"), [
    (["export", "scxml", "-o", "x.scxml"],
     "regflow: say what to export: a spec file, --case N or --register (exactly one)"),
    (["export", "csv", "--case", "1", "--register", "-o", "x.csv"],
     "regflow: say what to export: a spec file, --case N or --register (exactly one)"),
    (["export", "ics", str(REVIEW), "-o", "x.ics"],
     "regflow: unknown format 'ics' for a spec (ics exports a case or a register); available: "
     "dot, json, mermaid, pdf, png, scxml, svg"),
    (["export", "html", "--register", "-o", "x.html"],
     "regflow: unknown format 'html' for a register (html exports a case); available: csv, ics"),
    (["export", "html", "--case", "7", "-o", "x.html"],
     "regflow: no case 7 in this register (the register has 1 case(s); see 'regflow case list')"),
    (["export", "html", "--case", "1", "-o", "no/such/folder/x.html"],
     "regflow: folder 'no/such/folder' does not exist"),
    (["export", "mermaid", str(REVIEW), "-o", "x.svg"],
     "regflow: 'x.svg' ends in .svg but the mermaid format writes mermaid statediagram-v2; name it "
     "'x.mmd' or use the svg format"),
])
def test_bad_input_is_one_line_and_exit_1(capsys, tmp_path, db, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    if "--case" in args or "--register" in args:
        args = [*args, "--db", str(db)]
    code, out, err = run(capsys, *args)
    assert code == 1 and out == ""
    assert err == message + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["register.db"]


def test_the_register_file_is_not_overwritten(capsys, db):
    before = db.read_bytes()
    code, _, err = run(capsys, "export", "csv", "--register", "--db", db, "-o", db)
    assert code == 1 and err == (f"regflow: output '{db}' is the same file as the input '{db}'; "
                                 "choose another name (nothing was written)\n")
    assert db.read_bytes() == before


def test_a_missing_register_is_not_created(capsys, tmp_path):
    code, _, err = run(capsys, "export", "csv", "--register", "--db", tmp_path / "none.db",
                       "-o", tmp_path / "r.csv")
    assert code == 1 and err.startswith(f"regflow: no register at {tmp_path / 'none.db'}")
    assert list(tmp_path.iterdir()) == []


def test_register_exports_name_roles_as_the_case_export_does(capsys, tmp_path, db):
    """The register's csv and ics say who is responsible in words, like a case's export."""
    import csv
    import re

    from regflow.engine import load_spec

    spec = load_spec(REVIEW)
    run(capsys, "export", "csv", "--register", "--db", db, "--today", "2026-03-01",
        "-o", tmp_path / "r.csv")
    with (tmp_path / "r.csv").open(encoding="utf-8") as handle:
        deadlines = [r for r in csv.DictReader(handle) if r["record"] == "deadline"]
    assert deadlines
    labels = {role.label for role in spec.roles.values()}
    assert {r["responsible"] for r in deadlines} <= labels
    run(capsys, "export", "ics", "--register", "--db", db, "--today", "2026-03-01",
        "-o", tmp_path / "r.ics")
    run(capsys, "export", "ics", "--case", 1, "--db", db, "--today", "2026-03-01",
        "-o", tmp_path / "c.ics")
    def responsible(path):  # unfold the ics lines, then each "Responsible: ..." said
        text = path.read_text().replace("\r\n ", "").replace("\n ", "")
        return re.findall(r"Responsible: ([^.\\]+)\.", text)

    assert responsible(tmp_path / "r.ics")
    assert set(responsible(tmp_path / "r.ics")) == set(responsible(tmp_path / "c.ics")) <= labels
