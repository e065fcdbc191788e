"""Personal data never travels in a URL: which operations carry a phone or ID number.

An operation that passes an argument or input field named ``phone`` or ``idNumber`` — as a literal or through a
variable, at any depth of an input object — carries personal data. Over GET its query string (and so the
number) ends up in browser history, proxy and server logs; the pipeline refuses such an operation with
``PERSONAL_DATA_IN_URL`` before anything runs, and the client sends it again with POST.
"""

from __future__ import annotations

from graphql import (
    ArgumentNode,
    DocumentNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    Visitor,
    visit,
)

__all__ = ["PERSONAL_DATA_NAMES", "carries_personal_data", "variables_carry_personal_data"]

PERSONAL_DATA_NAMES = frozenset({"phone", "idNumber"})


class _Finder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        if node.name.value in PERSONAL_DATA_NAMES:
            self.found = True

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        if node.name.value in PERSONAL_DATA_NAMES:
            self.found = True


def carries_personal_data(document: DocumentNode | None, operation: OperationDefinitionNode) -> bool:
    """Whether ``operation`` (or a fragment it may spread) names a phone or ID number argument or input field.

    Fragments are checked whole: a spread fragment that carries one makes the operation carry it."""
    finder = _Finder()
    visit(operation, finder)
    if not finder.found and document is not None:
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                visit(definition, finder)
    return finder.found


def variables_carry_personal_data(variables: object) -> bool:
    """Whether the variables hold a ``phone`` or ``idNumber`` with a value, at any depth (an ``AppealFilter``
    passed as a variable)."""
    if isinstance(variables, dict):
        return any(
            (key in PERSONAL_DATA_NAMES and value not in (None, "")) or variables_carry_personal_data(value)
            for key, value in variables.items()
        )
    if isinstance(variables, list):
        return any(variables_carry_personal_data(item) for item in variables)
    return False
