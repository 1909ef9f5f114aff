"""Built-in rule variants in code, offered through the same hook as a plugin's.

``swia_proportionate``: SWIA's handover and follow-up with follow-up in proportion to risk
(23 Scope: "more time will be spent in follow-up on services that give cause for concern and
less on those where it is possible to be confident of a positive response"). Where the
handover meeting judged the risk low, progress reports and follow-up meetings are asked for
half-yearly instead of quarterly. It is an example of a variant a regulator might pilot, not
what the handbook says: the handbook's own reading is ``swia_handover``.
"""

from __future__ import annotations

import copy
from typing import Any

from regflow.engine.spec.variants import Variant

from .manager import hookimpl

_QUARTERLY = ("quarterly_progress_reports", "quarterly_follow_up_meetings")
_LOW = 'risk == "low"'


def proportionate(data: dict[str, Any]) -> dict[str, Any]:
    process = data["process"]
    process["id"] = "swia_handover_proportionate"
    process["title"] += " (variant: follow-up in proportion to risk)"
    process["version"] += "-proportionate"
    process["note"] = ("A rule variant of swia_handover: where the handover meeting judged the "
                       "risk low, progress reports and follow-up meetings are half-yearly instead "
                       "of quarterly (23 Scope: less time in follow-up where there is no serious "
                       "cause for concern). Everything else is the handbook as encoded.\n\n"
                       + process.get("note", ""))
    added = []
    for t in data["timescales"]:
        if t["id"] in _QUARTERLY:
            half = copy.deepcopy(t)
            t["applies_when"] = f"not ({_LOW})"
            half.update(id=t["id"].replace("quarterly", "half_yearly"), every="6 months",
                        applies_when=_LOW, strength="expected", wording="variant: half-yearly",
                        label=t["label"].replace("normally quarterly", "half-yearly (low risk)"),
                        note="Variant swia_proportionate: half-yearly where the risk is low. "
                        + t.get("note", ""))
            added.append(half)
    data["timescales"].extend(added)
    return data


@hookimpl
def regflow_variants():
    return [Variant("swia_proportionate", "swia_handover",
                    "SWIA follow-up in proportion to risk",
                    "Low-risk authorities report and meet half-yearly instead of quarterly.",
                    proportionate)]
