"""The plugin system: built-ins use the same hook a third-party exporter would."""

import json

import jsonschema
import pytest

from regflow.engine.spec.schema import spec_schema
from regflow.plugins import hookimpl, plugin_list, plugin_manager
from regflow.plugins.exporters import Exporter, ExportError, export, exporters


def test_builtin_exporters_come_through_the_hook():
    assert set(exporters()) >= {"dot", "svg", "png", "pdf"}
    (builtin,) = [p for p in plugin_list() if p["name"] == "regflow.plugins.exporters"]
    assert builtin["builtin"] and builtin["hooks"] == ["regflow_exporters"]


class JsonStatesPlugin:
    """A third-party plugin: writes the spec's states as JSON, and replaces 'dot'."""

    @hookimpl
    def regflow_exporters(self):
        def write(spec, path, highlight, focus):
            path.write_text(json.dumps(sorted(spec.states)))

        def shout(spec, path, highlight, focus):
            path.write_text("DOT FROM A PLUGIN")

        return [Exporter("json-states", ".states.json", "States as JSON", write),
                Exporter("dot", ".dot", "Replacement", shout)]


@pytest.fixture
def third_party():
    plugin = JsonStatesPlugin()
    plugin_manager().register(plugin, name="json-states")
    yield plugin
    plugin_manager().unregister(plugin)


def test_a_third_party_exporter_is_used_by_format_and_can_override_a_builtin(review, tmp_path, third_party):
    out = tmp_path / "review.states.json"
    export(review, out, fmt="json-states")
    assert json.loads(out.read_text()) == sorted(review.states)
    export(review, tmp_path / "r.dot")
    assert (tmp_path / "r.dot").read_text() == "DOT FROM A PLUGIN"
    assert "json-states" in [p["name"] for p in plugin_list()]


def test_a_failing_export_leaves_no_file(review, tmp_path):
    class Broken:
        @hookimpl
        def regflow_exporters(self):
            def write(spec, path, highlight, focus):
                path.write_text("half")
                raise OSError(28, "No space left on device")

            return [Exporter("broken", ".broken", "Fails", write)]

    plugin = Broken()
    plugin_manager().register(plugin)
    try:
        with pytest.raises(ExportError, match="No space left"):
            export(review, tmp_path / "x.broken")
        assert list(tmp_path.iterdir()) == []
    finally:
        plugin_manager().unregister(plugin)


def test_missing_graphviz_is_explained(review, tmp_path, monkeypatch):
    import regflow.plugins.exporters as ex

    monkeypatch.setattr(ex.shutil, "which", lambda name: None)
    with pytest.raises(ExportError, match="apt-get install graphviz"):
        export(review, tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()


def test_the_published_schema_is_a_valid_json_schema():
    jsonschema.Draft7Validator.check_schema(spec_schema())


@pytest.mark.parametrize("name", ["ciw_2019", "swia_handover"])
def test_both_shipped_specs_render_whole(name, tmp_path):
    from regflow.engine import load_spec

    from conftest import ROOT

    spec = load_spec(ROOT / "specs" / f"{name}.toml")
    out = tmp_path / f"{name}.svg"
    export(spec, out)
    assert b"<svg" in out.read_bytes()[:400]


def test_a_graphviz_failure_is_retried_plainly_then_explained(review, tmp_path, monkeypatch):
    import graphviz

    calls = []
    real_pipe = graphviz.Source.pipe

    def flaky(self, *args, **kwargs):
        calls.append("lhead=" in self.source)
        if len(calls) == 1:
            raise graphviz.CalledProcessError(-6, ["dot"], stderr=b"Error: trouble in init_rank")
        return real_pipe(self, *args, **kwargs)

    monkeypatch.setattr(graphviz.Source, "pipe", flaky)
    export(review, tmp_path / "ok.svg")
    assert calls == [True, False]  # the retry draws arrows without clipping at frames

    def broken(self, *args, **kwargs):
        raise graphviz.CalledProcessError(-6, ["dot"], stderr=b"dot: compound.c:369: assertion")

    monkeypatch.setattr(graphviz.Source, "pipe", broken)
    with pytest.raises(ExportError, match="Graphviz could not lay out review"):
        export(review, tmp_path / "bad.svg")
    assert not (tmp_path / "bad.svg").exists()
