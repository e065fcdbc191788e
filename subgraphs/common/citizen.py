"""The ``citizen(phone, idNumber)`` root field every system subgraph shares (``@shareable``).

Each subgraph answers it the same way — the person key of the number, nothing looked up — so that the gateway may
ask any of them; the identifiers behind the key go to the person directory, where the other subgraphs find them
when the gateway asks for that Citizen's records by key.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers.domain import normalize_id_number, normalize_phone, person_key
from resolvers.persons import Identifiers
from subgraphs.common.context import SubgraphContext
from subgraphs.common.errors import SubgraphInputError

__all__ = ["ID_NUMBER_ARG", "PHONE_ARG", "citizen_lookup"]

PHONE_ARG = Annotated[
    str | None,
    strawberry.argument(description="The citizen's phone number. Personal data: send it with POST, never in a URL."),
]
ID_NUMBER_ARG = Annotated[
    str | None,
    strawberry.argument(
        description="The citizen's ID number (身份证号), used when no phone is given. Personal data: send it with "
        "POST, never in a URL."
    ),
]


def citizen_lookup(context: SubgraphContext, phone: str | None, id_number: str | None) -> tuple[str, Identifiers]:
    """The person key for ``phone`` or ``id_number`` and the normalized identifiers, remembered for the directory."""
    digits = normalize_phone(phone or "")
    ident = normalize_id_number(id_number or "")
    if not digits and not ident:
        raise SubgraphInputError("citizen needs a phone or an idNumber")
    key = person_key(context.person_secret, phone=digits, id_number=ident)
    who = Identifiers(digits, ident)
    context.seen_people[key] = who
    return key, who
