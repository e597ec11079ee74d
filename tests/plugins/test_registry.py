"""The generic Registry: order, "did you mean", clashes, entry points (good and broken) and the
``plugins:`` module import. Entry points come from a dist-info folder written to tmp_path."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from audit.core.errors import AuditError
from audit.core.registry import Registry, load_plugins


def write(folder, name: str, text: str) -> None:
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def fake_dist(folder, entry_points: str, name: str = "fake-widgets") -> None:
    """An installed distribution as importlib.metadata sees it: METADATA and entry_points.txt."""
    info = folder / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    write(info, "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    write(info, "entry_points.txt", entry_points)


@pytest.fixture()
def widgets(tmp_path, monkeypatch):
    """A registry whose built-ins live in two modules, listed b before a."""
    write(tmp_path, "wreg_home.py", """
        from audit.core.registry import Registry
        WIDGETS = Registry("widget", "audit.test_widgets", ("wreg_b", "wreg_a"))
    """)
    write(tmp_path, "wreg_a.py", """
        from wreg_home import WIDGETS
        def alpha(): pass
        def apex(): pass
        WIDGETS.register("alpha", alpha)
        WIDGETS.register("apex", apex)
    """)
    write(tmp_path, "wreg_b.py", """
        from wreg_home import WIDGETS
        @WIDGETS.register("beta")
        def beta(): pass
    """)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("wreg_home", "wreg_a", "wreg_b", "wreg_plug", "wreg_self"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    import wreg_home

    return wreg_home.WIDGETS


def plugin_widget():
    pass


def test_builtins_in_module_order_then_plugins_whatever_was_imported_first(widgets):
    import wreg_a  # noqa: F401  (imported before the registry loads: order must not depend on it)

    widgets.register("zeta", plugin_widget)
    assert widgets.names() == ["beta", "alpha", "apex", "zeta"]
    assert widgets.get("beta").__name__ == "beta" and "alpha" in widgets and "nope" not in widgets
    assert widgets.origin("alpha") is None and widgets.origin("zeta") == __name__


def test_unknown_name_suggests_the_closest(widgets):
    with pytest.raises(AuditError) as err:
        widgets.get("alpah")
    assert str(err.value) == "Unknown widget 'alpah'. Did you mean 'alpha'? Known: alpha, apex, beta."


def test_two_objects_under_one_name_is_an_error(widgets):
    widgets.names()
    with pytest.raises(AuditError) as err:
        widgets.register("beta", plugin_widget)
    assert str(err.value) == (f"Two widgets are named 'beta' (from wreg_b and {__name__}); "
                              "rename one, or uninstall the plug-in that clashes.")


def test_check_refuses_what_cannot_serve():
    def must_be_int(obj):
        if not isinstance(obj, int):
            raise AuditError(f"{obj!r} is not a number.")

    numbers = Registry("number", "audit.test_numbers", check=must_be_int)
    numbers.register("one", 1)
    with pytest.raises(AuditError, match="'two' is not a number"):
        numbers.register("two", "two")


def test_entry_points_register_objects_or_modules_that_register_themselves(widgets, tmp_path):
    write(tmp_path, "wreg_plug.py", "GAMMA = object()\n")
    write(tmp_path, "wreg_self.py", """
        from wreg_home import WIDGETS
        @WIDGETS.register("delta")
        def delta(): pass
    """)
    fake_dist(tmp_path, "[audit.test_widgets]\ngamma = wreg_plug:GAMMA\nselfreg = wreg_self\n")
    import wreg_plug

    assert widgets.names() == ["beta", "alpha", "apex", "gamma", "delta"]
    assert widgets.get("gamma") is wreg_plug.GAMMA
    assert widgets.origin("gamma") == "fake-widgets" and widgets.origin("delta") == "wreg_self"


def test_load_plugins_imports_modules_that_register_after_the_builtins(widgets, tmp_path):
    write(tmp_path, "wreg_self.py", """
        from wreg_home import WIDGETS
        @WIDGETS.register("delta")
        def delta(): pass
    """)
    widgets.load_plugins(["wreg_self"])
    assert widgets.names() == ["beta", "alpha", "apex", "delta"] and widgets.origin("delta") == "wreg_self"


def test_broken_entry_point_is_one_line_naming_the_distribution(tmp_path, monkeypatch):
    fake_dist(tmp_path, "[audit.test_broken]\nbroken = wreg_missing:THING\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    broken = Registry("widget", "audit.test_broken")
    message = ("Plug-in entry point 'broken = wreg_missing:THING' of fake-widgets (group audit.test_broken) failed to "
               "load: ModuleNotFoundError: No module named 'wreg_missing'. Fix the plug-in or uninstall it "
               "(pip uninstall fake-widgets).")
    for _ in range(2):  # every use reports it again, not just the first
        with pytest.raises(AuditError) as err:
            broken.names()
        assert str(err.value) == message


def test_plugins_key_modules(tmp_path, monkeypatch):
    write(tmp_path, "wreg_fails.py", "raise ValueError('no config\\nfound')\n")
    write(tmp_path, "wreg_needs.py", "import wreg_not_installed\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(AuditError) as err:
        load_plugins(["wreg_nowhere.sub"])
    assert str(err.value) == ("Plug-in module 'wreg_nowhere.sub' (listed under plugins:) not found. Install it, add "
                              "its folder to PYTHONPATH, or remove it from plugins.")
    with pytest.raises(AuditError) as err:
        load_plugins(["wreg_fails"])
    assert str(err.value) == ("Importing plug-in module 'wreg_fails' (listed under plugins:) failed: ValueError: no "
                              "config found. Fix the module or remove it from plugins.")
    with pytest.raises(AuditError, match="'wreg_needs' .* failed: ModuleNotFoundError: No module named 'wreg_not_installed'"):
        load_plugins(["wreg_needs"])


def test_broken_probe_plugin_stops_audit_probes_with_one_line(tmp_path):
    fake_dist(tmp_path, "[audit.probes]\nbad = wreg_gone:BadProbe\n", name="bad-probes")
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AUDIT_CACHE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "audit", "probes"], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip().splitlines() == [(
        "Error: Plug-in entry point 'bad = wreg_gone:BadProbe' of bad-probes (group audit.probes) failed to load: "
        "ModuleNotFoundError: No module named 'wreg_gone'. Fix the plug-in or uninstall it (pip uninstall bad-probes).")]
