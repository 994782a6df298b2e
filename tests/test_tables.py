import re

import pandas as pd

from livingreview.present import tables as T
from records import LIAO_OS_Q, hou, liao, qa_page, radiotherapy


def test_as_printed_keeps_trailing_zeros_the_source_prints():
    assert T.as_printed(4.6, "10.95 vs. 4.60 months") == "4.60"
    assert T.as_printed(75.0, "the overall response rate was 75.0%") == "75.0"
    assert T.as_printed(100, "were 100, 96.8, and 21%") == "100"


def test_as_printed_falls_back_to_the_exact_value_without_rounding():
    assert T.as_printed(33.0) == "33"
    assert T.as_printed(10.123456789) == "10.123456789"
    assert T.as_printed(None) == ""


def test_endpoint_table_formats_values_ci_and_p_as_printed():
    table = T.endpoint_table(liao())
    assert list(table.columns) == T.ENDPOINT_COLUMNS
    assert list(table["value"]) == ["10.95 months", "4.60 months", "2.38", "19.6 months",
                                    "10.67 months", "1.84"]
    ratio = table.iloc[2]
    assert (ratio["arm"], ratio["CI"], ratio["p"]) == ("HIFU + ICI vs ICI alone", "1.087–3.106", "<0.0001")
    assert table.iloc[5]["p"] == "=0.0418"


def test_endpoint_table_shows_timepoints_and_single_arm_name():
    table = T.endpoint_table(hou())
    assert list(table["timepoint"]) == ["", "", "", "12 months", "24 months", "", "12 months",
                                        "24 months", "36 months"]
    assert set(table["arm"]) == {"Thermal ablation"}
    assert table.iloc[5]["value"] == "33.0 months" and table.iloc[5]["CI"] == "26.9–39.1"
    assert table.iloc[0]["endpoint"] == "technical success"


def test_endpoint_table_of_a_page_without_endpoints_is_empty_with_columns():
    table = T.endpoint_table(qa_page())
    assert table.empty and list(table.columns) == T.ENDPOINT_COLUMNS


def test_styled_table_escapes_script_in_a_quote():
    rec = radiotherapy()
    rec["endpoints"][0]["quote"] = "<script>alert('x')</script> the overall response rate was 75.0%"
    out = T.styled_endpoint_table(rec)
    assert "<script>" not in out
    assert "&lt;script&gt;alert(" in out and "&lt;/script&gt; the overall response rate" in out


def test_styled_table_escapes_arm_names_and_flag_messages():
    rec = liao()
    rec["arms"][0]["name"] = "<img src=x onerror=alert(1)>"
    for ep in rec["endpoints"]:
        if ep["arm"] == "HIFU + ICI":
            ep["arm"] = rec["arms"][0]["name"]
    rec["flags"][0]["message"] = "<b>identical CI</b>"
    out = T.styled_endpoint_table(rec)
    assert "<img" not in out and "<b>" not in out
    assert "&lt;img src=x onerror=alert(1)&gt;" in out and "&lt;b&gt;identical CI&lt;/b&gt;" in out


def test_styled_table_ids_derive_from_the_record_id_and_are_stable():
    out = T.styled_endpoint_table(liao())
    assert 'id="T_endpoints_liao2025_hifu_ici"' in out
    assert out == T.styled_endpoint_table(liao())
    assert not re.search(r"T_[0-9a-f]{5}_", out)  # no random pandas uuid


def test_flags_sit_beside_the_rows_whose_quote_and_numbers_they_name():
    # The flag quotes the OS sentence and names the CI 1.087-3.106: only the OS ratio carries it,
    # not the OS medians from the same sentence.
    per_row, unmatched = T.flags_by_row(liao())
    assert [bool(f) for f in per_row] == [False, False, False, False, False, True]
    assert unmatched == []
    out = T.styled_endpoint_table(liao())
    rows = re.findall(r"<tr>(.*?)</tr>", out, re.S)[1:]
    flagged = ["warning: identical_ci" in r for r in rows]
    assert flagged == [False, False, False, False, False, True]
    assert "lr-flag-warning" in rows[5] and not any("lr-flag-warning" in r for r in rows[:5])


def test_a_flag_that_matches_no_row_is_listed_below_the_table_escaped():
    rec = liao()
    rec["flags"].append({"check": "percent_count", "severity": "error",
                         "message": "28/94 <is not> 30%", "quote": "no such sentence"})
    per_row, unmatched = T.flags_by_row(rec)
    assert [f["check"] for f in unmatched] == ["percent_count"]
    out = T.styled_endpoint_table(rec)
    assert '<ul class="lr-flags"><li>error: 28/94 &lt;is not&gt; 30%' in out


def test_flag_quote_inside_an_endpoint_quote_still_matches():
    rec = liao()
    rec["flags"] = [{"check": "identical_ci", "severity": "info", "message": "OS ratio 1.84 shares its CI",
                     "quote": "95% CI: 1.087-3.106, P=0.0418"}]
    per_row, _ = T.flags_by_row(rec)
    assert [bool(f) for f in per_row] == [False, False, False, False, False, True]
    assert LIAO_OS_Q.endswith("P=0.0418)")


def test_a_flag_naming_another_endpoint_is_not_pinned_to_this_row():
    rec = liao()
    rec["flags"] = [{"check": "p_ci_conflict", "severity": "warning",
                     "message": "PFS ratio: p does not fit the CI 1.087-3.106",
                     "quote": "95% CI: 1.087-3.106, P=0.0418"}]
    per_row, unmatched = T.flags_by_row(rec)
    assert not any(per_row) and [f["check"] for f in unmatched] == ["p_ci_conflict"]


def test_study_card_escapes_source_text_and_says_what_is_missing():
    rec = radiotherapy()
    rec["title"] = "Radiation <b>and</b> ICI & more"
    card = T.study_card(rec)
    assert card["title"] == "Radiation &lt;b&gt;and&lt;/b&gt; ICI &amp; more"
    assert card["authors"] == "not listed"
    assert card["arms"] == "Radiotherapy + ICI (n=108)"
    assert card["design"] == "retrospective" and card["patients"] == "108"
    html = T.study_card_html(rec)
    assert "<b>" not in html and html.startswith('<dl class="lr-study-card" id="card_anon2025_radiotherapy_ici_hcc">')


def test_study_card_marks_arms_without_n():
    card = T.study_card(liao())
    assert card["arms"] == "HIFU + ICI (n=28); ICI alone (n not stated)"
    assert card["local therapy"] == "HIFU" and card["systemic therapy"] == "ICI"
    assert T.study_card(qa_page())["primary study"] == "no"


def test_html_table_escapes_cells_and_marks_blanks():
    df = pd.DataFrame({"quote": ["<script>x</script>", None], "n": [28, None]})
    html = T.html_table(df)
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert html.count("<td>–</td>") == 2


def test_rmst_wide_gives_one_column_per_horizon():
    from livingreview.analysis.survival import rmst_table

    wide = T.rmst_wide(rmst_table(liao()), ["endpoint", "arm", "model"])
    assert list(wide.columns) == ["endpoint", "arm", "model", "RMST to 12 months", "RMST to 24 months"]
    assert len(wide) == 4


def test_styled_table_colours_every_cell_of_a_flagged_row_and_escapes_quotes_in_cells():
    rec = liao()
    rec["endpoints"][0]["quote"] = rec["endpoints"][0]["quote"] + ' "so-called" \'cure\''
    out = T.styled_endpoint_table(rec)
    assert out.startswith('<style type="text/css">\n#T_endpoints_liao2025_hifu_ici td.lr-flag-error {\n'
                          '  background-color: #fde2e1;\n}\n')
    assert "&#34;so-called&#34; &#39;cure&#39;" in out
    row = re.findall(r"<tr>(.*?)</tr>", out, re.S)[6]
    cells = re.findall(r'<td class="data row5 col(\d+) lr-flag-warning" >', row)
    assert cells == [str(j) for j in range(len(T.ENDPOINT_COLUMNS) + 1)]  # every column, flags last


def test_styled_table_of_a_record_without_endpoints_has_the_header_and_an_empty_body():
    rec = liao()
    rec["endpoints"], rec["flags"] = [], []
    out = T.styled_endpoint_table(rec)
    assert '<th class="col_heading level0 col9" >flags</th>' in out
    assert "<tbody>\n  </tbody>\n</table>\n" in out
