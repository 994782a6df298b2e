"""`python -m livingreview reconstruct` and book/curves.py on digitised-curve files written here."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from livingreview import cli
from livingreview.book import curves

ROOT = Path(__file__).resolve().parents[1]

# An invented arm of 20 patients, digitised in percent, clicked out of order.
CURVE = """time,survival
5.2,80
0,100
2.1,95
2.1,90
8.1,70
5,90
8,80
12,70
"""
RISK = "time,at_risk\n0,20\n4,17\n8,14\n"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # Run from the folder of the files so messages name them as given; import this checkout's code.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "livingreview", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def run_main(monkeypatch, capsys, cwd: Path, *args: str) -> tuple[int, str, str]:
    """The same command in this process (fast), from the folder of the files."""
    monkeypatch.chdir(cwd)
    status = cli.main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _write(folder: Path, curve: str = CURVE, risk: str | None = RISK, meta: str | None = None,
           stem: str = "OS--Arm A") -> tuple[Path, Path]:
    curve_path = folder / f"{stem}.csv"
    curve_path.write_text(curve, encoding="utf-8")
    risk_path = folder / f"{stem}.risk.csv"
    if risk is not None:
        risk_path.write_text(risk, encoding="utf-8")
    if meta is not None:
        (folder / f"{stem}.yml").write_text(meta, encoding="utf-8")
    return curve_path, risk_path


def test_reconstruct_writes_time_event_rows_and_prints_the_summary(tmp_path):
    curve, risk = _write(tmp_path)
    out = tmp_path / "ipd.csv"
    done = run_cli("reconstruct", curve.name, "--at-risk", risk.name, "--out", out.name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert {"n", "events", "median", "rmse", "max_abs_error"} <= set(report)
    assert report["n"] == 20 and report["survival_input"] == "percent"
    rows = out.read_text().splitlines()
    assert rows[0] == "time,event" and len(rows) == 21
    assert sum(int(r.split(",")[1]) for r in rows[1:]) == report["events"]


def test_reconstruct_output_is_the_same_on_every_run(tmp_path):
    curve, risk = _write(tmp_path)
    first = run_cli("reconstruct", curve.name, "--at-risk", risk.name, "--out", "a.csv", cwd=tmp_path)
    again = run_cli("reconstruct", curve.name, "--at-risk", risk.name, "--out", "b.csv", cwd=tmp_path)
    assert first.stdout == again.stdout
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_total_events_come_from_the_yaml_beside_the_curve_unless_given(tmp_path, monkeypatch, capsys):
    longer = CURVE.replace("12,70\n", "11,70\n11,55\n16,55\n16,40\n20,40\n")
    curve, risk = _write(tmp_path, curve=longer, meta="total_events: 9\n")
    from_yaml = json.loads(run_main(monkeypatch, capsys, tmp_path, "reconstruct", curve.name, "--at-risk",
                                    risk.name)[1])
    assert from_yaml["total_events_given"] == 9 and from_yaml["events"] == 9
    given = json.loads(run_main(monkeypatch, capsys, tmp_path, "reconstruct", curve.name, "--at-risk",
                                risk.name, "--total-events", "10")[1])
    assert given["total_events_given"] == 10 and given["events"] == 10


def test_without_a_risk_table_n_is_enough(tmp_path, monkeypatch, capsys):
    curve, _ = _write(tmp_path, risk=None)
    status, out, err = run_main(monkeypatch, capsys, tmp_path, "reconstruct", curve.name, "--n", "20")
    assert status == 0, err
    assert json.loads(out)["n"] == 20


BAD = [
    # (curve text, risk text, file the message names, line, words in it)
    ("time,surv\n0,1\n", RISK, "curve", 1, "missing column survival"),
    ("time,survival\n0,1\n4,abc\n", RISK, "curve", 3, "survival 'abc' is not a number"),
    ("time,survival\n0,100\n-3,90\n12,70\n", RISK, "curve", 3, "negative time"),
    ("time,survival\n0,100\n4,60\n8,90\n12,60\n", RISK, "curve", 4, "rises"),
    (CURVE, "time,at_risk\n0,20\n6,15\n18,3\n", "risk", 4, "longer than the curve"),
    (CURVE, "time,at_risk\n0,20\n-4,17\n", "risk", 3, "negative time"),
    (CURVE, "time,n\n0,20\n", "risk", 1, "missing column at_risk"),
    (CURVE, "time,at_risk\n0,20\n4,many\n", "risk", 3, "at_risk 'many' is not a number"),
    (CURVE, "time,at_risk\n0,20\n4,25\n", "risk", 3, "more than"),
]


@pytest.mark.parametrize("curve_text, risk_text, which, line, words", BAD)
def test_bad_input_costs_one_line_naming_file_and_line_and_exit_1(tmp_path, monkeypatch, capsys, curve_text,
                                                                   risk_text, which, line, words):
    curve, risk = _write(tmp_path, curve=curve_text, risk=risk_text)
    status, out, err = run_main(monkeypatch, capsys, tmp_path, "reconstruct", curve.name, "--at-risk", risk.name)
    assert status == 1 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1, done.stderr
    named = curve.name if which == "curve" else risk.name
    assert lines[0].startswith(f"livingreview: {named}: line {line}: ") and words in lines[0]


def test_bad_input_from_the_command_line_process_exits_1_with_one_line(tmp_path):
    curve, risk = _write(tmp_path, risk="time,at_risk\n0,20\n6,15\n18,3\n")
    done = run_cli("reconstruct", curve.name, "--at-risk", risk.name, cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"livingreview: {risk.name}: line 4: the risk table (time 18) is longer than the curve (last point at 12)"]


def test_no_risk_table_and_no_n_is_one_line(tmp_path, monkeypatch, capsys):
    curve, _ = _write(tmp_path, risk=None)
    status, _, err = run_main(monkeypatch, capsys, tmp_path, "reconstruct", curve.name)
    assert status == 1 and len(err.splitlines()) == 1
    assert err.startswith(f"livingreview: {curve.name}: ") and "total number of patients" in err


def test_blank_lines_do_not_shift_the_line_numbers(tmp_path):
    curve, risk = _write(tmp_path, curve="time,survival\n\n0,1\n\n5,x\n")
    with pytest.raises(curves.CurveFileError, match=r"line 5: survival 'x'"):
        curves.rebuild(curve, risk)


def test_bad_yaml_values_are_refused(tmp_path):
    curve, _ = _write(tmp_path, meta="total_events: lots\n")
    with pytest.raises(curves.CurveFileError, match="total_events"):
        curves.meta_beside(curve)


def test_find_curves_lists_each_digitised_arm_with_its_risk_table_and_yaml(tmp_path):
    study = tmp_path / "data" / "curves" / "smith2030_tace"
    study.mkdir(parents=True)
    _write(study, stem="OS--TACE", meta="total_events: 3\n")
    _write(study, stem="OS--TACE plus ICI", risk=None)
    found = curves.find_curves(tmp_path)
    assert [(c.study, c.endpoint, c.arm, c.risk is not None, c.meta is not None) for c in found] == [
        ("smith2030_tace", "OS", "TACE", True, True),
        ("smith2030_tace", "OS", "TACE plus ICI", False, False),
    ]


def test_rebuild_all_uses_each_arms_risk_table_and_yaml_totals(tmp_path):
    study = tmp_path / "data" / "curves" / "smith2030_tace"
    study.mkdir(parents=True)
    _write(study, stem="OS--TACE")
    _write(study, stem="OS--TACE plus ICI", risk=None, meta="n: 20\n")
    rebuilt = curves.rebuild_all(tmp_path, "smith2030_tace")
    assert [(f.arm, r.n) for f, r in rebuilt] == [("TACE", 20), ("TACE plus ICI", 20)]
    assert rebuilt[0][1].intervals[0].at_risk_end == 17 and len(rebuilt[1][1].intervals) == 1
    assert curves.rebuild_all(tmp_path, "other2031_x") == []


def test_an_unwritable_output_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    curve, risk = _write(tmp_path)
    status, out, err = run_main(monkeypatch, capsys, tmp_path, "reconstruct", curve.name, "--at-risk", risk.name,
                                "--out", "missing-folder/ipd.csv")
    assert status == 1 and out == "" and err.startswith("livingreview: missing-folder/ipd.csv: cannot write")
