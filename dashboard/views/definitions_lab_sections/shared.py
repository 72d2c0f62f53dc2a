"""What several sections of the Definitions lab use: the custom definition's name, and how a
compared definition is named and described."""

from __future__ import annotations

from dashboard import scoring
from dashboard.ui import definition_label

CUSTOM = "Custom"


def option_label(option: str) -> str:
    return "Custom weights" if option == CUSTOM else definition_label(option)


def rule_and_gates(definition: scoring.Definition) -> str:
    """E.g. "the best-scored 4 % of active customers · customer for 24+ months · tier A"."""
    gates = f" · {definition.gates_text()}" if definition.has_gates else ""
    return definition.rule_text() + gates
