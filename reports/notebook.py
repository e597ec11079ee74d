"""The scorecard as an HTML fragment for a notebook cell (``AuditResult._repr_html_``).

A notebook page holds other output, so the report's page-wide stylesheet is not used: the fragment
carries a few rules scoped to its own wrapper. The table is the report's own scorecard block,
rendered by the report's template macro, so a notebook and report.html say the same thing.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from audit.core.document import model_ids, probes_of, status_of
from audit.reports.html import environment
from audit.reports.scorecard import build_scorecard

STYLE = """
.audit-nb table { border-collapse: collapse; font-size: 13px; }
.audit-nb th, .audit-nb td { padding: 4px 9px; border-bottom: 1px solid #d9dee5; text-align: left; vertical-align: top; }
.audit-nb thead th { background: #f3f5f8; white-space: nowrap; }
.audit-nb td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.audit-nb td.mark-best { background: #e8f5ec; }
.audit-nb td.mark-nd { background: #fffaeb; }
.audit-nb .badge { font-size: 11px; color: #4a5563; }
.audit-nb caption { caption-side: bottom; font-size: 12px; color: #5b6573; text-align: left; padding-top: 4px; }
.audit-nb .units { font-size: 12px; color: #5b6573; }
"""


def render_scorecard_html(results: dict) -> str:
    """Run id, the scorecard table and a line naming every unit that did not finish ok."""
    models = model_ids(results)
    table = environment().get_template("table.html.j2").module.render_table(  # type: ignore[attr-defined]
        build_scorecard(results, models), breaks=False)
    run = results.get("run") or {}
    dataset = results.get("dataset") or {}
    head = f"audit run {run.get('id', '?')} · {dataset.get('size', '?')} examples · {len(models)} model(s)"
    not_ok = [f"{p.get('name')} · {mid}: {status_of(p, mid)[0]}" for p in probes_of(results) for mid in models
              if status_of(p, mid)[0] != "ok"]
    units = f'<p class="units">Not ok: {escape("; ".join(not_ok))}</p>' if not_ok else ""
    return str(Markup(f'<div class="audit-nb"><style>{STYLE}</style><p><strong>{escape(head)}</strong></p>'
                      f'{table}{units}</div>'))
