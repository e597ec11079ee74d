"""The distribution installs one import package, ``audit``: probes/ and reports/ land as
``audit.probes`` and ``audit.reports``, never as generic top-level names in site-packages."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_has_one_top_level_package_with_its_data(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    import audit

    # the distribution is audit-text-clf (audit/core/install.py), the one import package audit; one version source
    assert {n.split("/")[0] for n in names} == {"audit", f"audit_text_clf-{audit.__version__}.dist-info"}
    for path in ("audit/probes/registry.py", "audit/probes/attack/__init__.py", "audit/reports/__init__.py",
                 "audit/reports/templates/report.css", "audit/probes/fairness/data/terms_gender.csv"):
        assert path in names, path


def test_installed_package_does_not_import_from_the_source_folders():
    import audit.probes
    import audit.reports

    assert Path(audit.probes.__file__).parent.resolve() == ROOT / "probes"  # audit/probes links to probes/
    assert Path(audit.reports.__file__).parent.resolve() == ROOT / "reports"
    proc = subprocess.run([sys.executable, "-c", "import probes"], capture_output=True, cwd="/")
    assert proc.returncode != 0
