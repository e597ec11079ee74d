"""A new built-in probe is one file under probes/ (plus its tests): the registry finds every module
and package there, in the battery's order, with no list to edit."""

from __future__ import annotations

import json
import subprocess
import sys

from audit.probes.registry import BUILTIN_MODULES, builtin_modules

NEW_PROBE = '''
from dataclasses import dataclass

from audit.probes.base import Metric, MetricSpec, Probe, ProbeResult
from audit.probes.registry import register


@register
class TextCount(Probe):
    """How many texts there are (a probe in one file)."""

    name, family = "text-count", "performance"
    metric_specs = (MetricSpec("texts", "Texts audited.", None),)

    @dataclass(frozen=True)
    class Config:
        pass

    def run(self, model, data, ctx):
        return ProbeResult(metrics={"texts": Metric(float(len(data)), higher_is_better=None)})
'''


def test_every_module_and_package_under_probes_in_battery_order(tmp_path):
    for name in ("base.py", "registry.py", "metrics.py", "zz_last.py", "a_first.py"):
        (tmp_path / name).write_text("")
    (tmp_path / "explain").mkdir()
    (tmp_path / "explain" / "__init__.py").write_text("")
    assert builtin_modules([str(tmp_path)]) == ("audit.probes.metrics", "audit.probes.explain",
                                                "audit.probes.a_first", "audit.probes.zz_last")
    assert BUILTIN_MODULES[:5] == ("audit.probes.metrics", "audit.probes.noise", "audit.probes.attack",
                                   "audit.probes.fairness", "audit.probes.explain")
    assert "audit.probes.slices" in BUILTIN_MODULES[5:]  # a probe added later comes after the battery


def test_a_new_file_under_probes_is_a_registered_probe(tmp_path):
    (tmp_path / "text_count.py").write_text(NEW_PROBE)
    code = ("import json, audit.probes\n"
            f"audit.probes.__path__.append({str(tmp_path)!r})\n"
            "from audit.probes.registry import all_probes\n"
            "print(json.dumps(list(all_probes())))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    names = json.loads(out)
    assert names[-1] == "text-count" and names[:2] == ["metrics", "noise"]
