"""The spec editor on a variant (issue 10: "the editor must handle ``extends``"), against the
same editor on the spec it extends, in the same process.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/variant_editor_bench.py [--repeat 15]

A variant is shown whole: each edit also resolves it onto its base (reading the base file) and
works out where each of its items comes from, for the outline's marks and the form's base
values. Measured, as medians (``time.perf_counter``):

1. Edit to refreshed form: ``within`` of the CIW draft report timescale changed through
   ``EditorWindow.edit`` until the outline and form show the new text. On the variant this
   writes an override into the variant file. Baseline: the same edit on ciw_2019 itself.
2. Edit to updated problem list: the same, until the problems list shows the new check.
   Baseline: the same on ciw_2019.
3. The engine's part alone: ``Layers.of`` (resolve onto the base, origins of every item),
   against ``SpecDocument`` reading the CIW text (what every edit of the plain spec costs).
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from editor_bench import CIW, in_scratch_folder, median_ms, wait_for


def main() -> int:
    return in_scratch_folder(_run, "regflow-variant-bench-", __doc__)


def _run(folder: Path, repeat: int) -> int:
    from PySide6.QtWidgets import QApplication

    from regflow.engine import load_spec
    from regflow.engine.spec.editing import SpecDocument
    from regflow.engine.spec.overriding import Layers
    from regflow.engine.spec.starting import as_variant
    from regflow.gui import tasks
    from regflow.gui.editor.window import EditorWindow

    app = QApplication.instance() or QApplication([])
    plain = folder / "ciw.toml"
    shutil.copy(CIW, plain)
    variant = as_variant(CIW, folder / "variant.toml", "CIW rules for another regulator")
    draft = ("timescales", next(i for i, t in enumerate(load_spec(CIW).timescales)
                                if t.id == "draft_report"))

    def measure(path: Path) -> tuple[list[float], list[float]]:
        window = EditorWindow(None, path, date(2027, 3, 1))
        window.show()
        wait_for(window.checked)
        window._check_timer.setInterval(0)  # no pause in typing to wait for
        window.select(draft)
        formed, checked = [], []
        for n in range(repeat + 2):
            days = f"{26 + n % 2} working days"
            start = time.perf_counter()
            window.edit((*draft, "within"), days, "Change within")
            while window._refresh_timer.isActive() or window.fields["within"].text() != days:
                app.processEvents()
            formed.append(time.perf_counter() - start)
            wait_for(window.checked)
            checked.append(time.perf_counter() - start)
            while tasks.running:  # the diagram drawn: nothing left running for the next edit
                app.processEvents()
        window.saved_text = window.doc.text()
        window.close()
        return formed[2:], checked[2:]

    plain_form, plain_check = measure(plain)
    variant_form, variant_check = measure(variant)
    doc, text = SpecDocument.load(variant), CIW.read_text(encoding="utf-8")
    layers, parse = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        Layers.of(doc, variant).origins()
        layers.append(time.perf_counter() - start)
        start = time.perf_counter()
        SpecDocument(text)
        parse.append(time.perf_counter() - start)

    print(f"spec editor on a variant of CIW against CIW itself (python "
          f"{sys.version.split()[0]}, Qt platform {os.environ['QT_QPA_PLATFORM']}, {repeat} "
          "repeats, medians)")
    for words, mine, base in (("1. edit to refreshed form       ", variant_form, plain_form),
                              ("2. edit to updated problem list ", variant_check, plain_check),
                              ("3. Layers.of + origins          ", layers, parse)):
        against = "CIW itself" if not words.startswith("3") else "reading CIW's TOML"
        print(f"{words} {median_ms(mine):6.1f} ms   baseline {against} {median_ms(base):6.1f} ms"
              f"   ratio {median_ms(mine) / median_ms(base):4.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
