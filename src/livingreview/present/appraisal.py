"""HTML for the appraisal parts of the pages: risk-of-bias supports, the summary of findings and
its plain-language version. Every text (supports, reasons, study ids) is HTML-escaped."""
from __future__ import annotations

from html import escape

from livingreview.analysis import grade

SOF_DOMAINS = ("risk of bias", "inconsistency", "indirectness", "imprecision", "publication bias")
UPGRADES = ("large effect", "dose-response", "plausible confounding")
ENDPOINT_WORDS = {
    "OS": "how long people lived (overall survival)",
    "PFS": "how long people lived before the cancer grew again (progression-free survival)",
}
PLAIN_CERTAINTY = {
    4: "We are confident about this.",
    3: "This is probably right, but more research could change it.",
    2: "This may be right, but more research is likely to change it.",
    1: "We are very uncertain about this.",
}


def supports_html(assessments) -> str:
    """Each study's judgements with their one-line supports, as a definition list per study."""
    parts = []
    for a in assessments:
        items = "".join(
            f"<li><strong>{escape(d.key)}</strong> {escape(d.name)}: <em>{escape(d.judgement)}</em>"
            f" — {escape(d.support)}</li>" for d in a.domains)
        how = "stated by the reviewer, checked against the tool's rule" if a.overall_stated else \
            "by the tool's rule"
        extra = f" — {escape(a.support)}" if a.support else ""
        outcome = f", {escape(a.outcome)}" if a.outcome else ""
        parts.append(
            f'<details class="lr-rob"><summary>{escape(a.study)} ({escape(a.tool)}{outcome}): '
            f"overall <strong>{escape(a.overall)}</strong> ({how}){extra}</summary>"
            f"<ul>{items}</ul></details>")
    return "\n".join(parts)


def _domain_cell(rating: grade.Rating | None, note: int | None) -> str:
    if rating is None:
        return "–"
    if not rating.assessable:
        word = "not assessable"
    elif rating.change <= -2:
        word = "very serious (−2)"
    elif rating.change == -1:
        word = "serious (−1)"
    else:
        word = "not serious"
    return escape(word) + (f"<sup>{note}</sup>" if note else "")


def sof_table_html(findings) -> str:
    """The GRADE summary of findings: one row per modality and outcome, every up- and downgrade
    with its numbered footnote, the certainty as ⊕ symbols with its word (an override marked)."""
    if not findings:
        return "<p>No study reports overall or progression-free survival.</p>"
    head = ("<tr><th>Outcome</th><th>Studies (participants)</th><th>Effect</th><th>Starts</th>"
            + "".join(f"<th>{escape(d.capitalize())}</th>" for d in SOF_DOMAINS)
            + "<th>Upgrades</th><th>Certainty</th></tr>")
    body, notes, modality = [], [], None
    for f in findings:
        c = f.certainty
        if f.modality != modality:
            modality = f.modality
            body.append(f'<tr class="lr-sof-group"><th colspan="{len(SOF_DOMAINS) + 6}">'
                        f"{escape(modality)}</th></tr>")

        def note(text: str) -> int:
            notes.append(text)
            return len(notes)
        start = note(c.start_footnote)
        by_domain = {r.domain: r for r in c.ratings}
        cells = []
        for d in SOF_DOMAINS:
            r = by_domain.get(d)
            cells.append(_domain_cell(r, note(f"{d}: {r.footnote}") if r else None))
        ups = [r for r in c.ratings if r.domain in UPGRADES and r.change > 0]
        up_cell = "; ".join(f"{escape(r.domain)} (+{r.change})<sup>{note(f'{r.domain}: {r.footnote}')}</sup>"
                            for r in ups) or "none"
        certainty = f'<span class="lr-grade">{c.symbols}</span> {escape(c.word)}'
        if c.overridden:
            n = note(f"reviewer's rating {c.word} (computed: {grade.LEVELS[c.computed_level]}): "
                     f"{c.override.reason}")
            certainty += (f"<sup>{n}</sup><br><em>reviewer's rating; computed "
                          f"{escape(grade.LEVELS[c.computed_level])}</em>")
        people = f" ({c.participants})" if c.participants else " (not reported)"
        body.append(
            f"<tr><td>{escape(c.outcome)}</td><td>{c.n_studies}{people}</td><td>{escape(c.effect)}</td>"
            f"<td>{escape(grade.LEVELS[c.start])}<sup>{start}</sup></td>"
            + "".join(f"<td>{x}</td>" for x in cells)
            + f"<td>{up_cell}</td><td>{certainty}</td></tr>")
    footnotes = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return (f'<table class="lr-table lr-sof"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'
            f'<ol class="lr-footnotes">{footnotes}</ol>')


COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _studies(n: int) -> str:
    """'two studies', in words (the patient page prints no number of its own)."""
    word = COUNT_WORDS[n] if n < len(COUNT_WORDS) else "many"
    return f"{word} stud{'y' if n == 1 else 'ies'}"


def _plain_effect(finding) -> str:
    """What the evidence says in words, without numbers."""
    group = finding.group
    if group is not None and group.pooled:
        r = group.result
        lo, hi = r.back(r.ci[0]), r.back(r.ci[1])
        arms = group.rows[0].get("arms") or finding.comparison
        first, _, second = str(arms).partition(" vs ")
        if hi < 1:
            return (f"Taken together, {_studies(len(group.rows))} found that people given {first} "
                    f"did better than people given {second}.")
        if lo > 1:
            return (f"Taken together, {_studies(len(group.rows))} found that people given {first} "
                    f"did worse than people given {second}.")
        return (f"Taken together, {_studies(len(group.rows))} could not show whether {first} is "
                f"better or worse than {second}.")
    if finding.comparison:
        return "One study compared the treatments; there is no second study to check it against."
    n = finding.certainty.n_studies
    who = _studies(n)
    return (f"{who[0].upper() + who[1:]} {'describes' if n == 1 else 'describe'} how people did "
            "after the treatment; none compares them fairly with people who did not have it.")


def plain_findings_html(findings) -> str:
    """The summary of findings for patients: per modality and outcome, what was found and how
    sure we are, in short sentences (no numbers of its own)."""
    if not findings:
        return "<p>No study reports how long people lived after these treatments.</p>"
    parts, modality = [], None
    for f in findings:
        if f.modality != modality:
            if modality is not None:
                parts.append("</ul>")
            modality = f.modality
            parts.append(f"<h3>{escape(modality)}</h3><ul>")
        c = f.certainty
        what = ENDPOINT_WORDS.get(f.endpoint, f.endpoint)
        who = " A reviewer set this rating by hand; the synthesis page says why." if c.overridden else ""
        parts.append(
            f"<li><strong>{escape(what.capitalize())}</strong>: {escape(_plain_effect(f))} "
            f'How sure we are: <span class="lr-grade">{c.symbols}</span> {escape(c.word)}. '
            f"{escape(PLAIN_CERTAINTY[c.level])}{escape(who)}</li>")
    parts.append("</ul>")
    return "".join(parts)


def not_pooled_html(findings, skipped) -> str:
    """Why each hazard-ratio group, and each result left out of pooling, was not pooled."""
    items = []
    for f in findings:
        if f.group is not None and not f.group.pooled:
            items.append(f"<li>{escape(f.endpoint)}, {escape(f.modality)}, "
                         f"{escape(str(f.group.rows[0].get('arms') or f.comparison))}: "
                         f"{escape(f.group.reason)}</li>")
    for s in skipped:
        items.append(f"<li>{escape(str(s.get('study')))}, {escape(str(s.get('endpoint')))} "
                     f"({escape(str(s.get('arm') or ''))}): {escape(str(s.get('reason')))}</li>")
    return f'<ul class="lr-reasons">{"".join(items)}</ul>' if items else ""


__all__ = ["supports_html", "sof_table_html", "plain_findings_html", "not_pooled_html"]
