"""Probes that read another probe's results run after it, whatever order the config gives."""

from types import SimpleNamespace

from audit.runner import dependency_order


def probe(name, after=()):
    return SimpleNamespace(name=name, after=tuple(after))


def names(probes):
    return [p.name for p in probes]


def test_a_reader_moves_after_what_it_reads_and_the_rest_keep_their_order():
    given = [probe("metrics"), probe("explain", ["attack"]), probe("noise"), probe("attack")]
    assert names(dependency_order(given)) == ["metrics", "noise", "attack", "explain"]


def test_an_unselected_dependency_is_ignored():
    given = [probe("explain", ["attack"]), probe("metrics")]
    assert names(dependency_order(given)) == ["explain", "metrics"]


def test_ready_probes_run_first_then_a_cycles_members_in_the_given_order():
    given = [probe("a", ["b"]), probe("b", ["a"]), probe("c")]
    assert names(dependency_order(given)) == ["c", "a", "b"]


def test_explain_runs_after_attack_whatever_the_config_order():
    from audit.config import AuditConfig
    from audit.runner import build_probes

    cfg = AuditConfig(data={}, models=(), probes={"explain": {}, "metrics": {}, "attack": {}})
    assert names(build_probes(cfg)) == ["metrics", "attack", "explain"]
