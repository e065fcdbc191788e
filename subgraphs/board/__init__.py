"""The board subgraph: ``BoardMessage`` (an ``Appeal``) and ``Citizen.boardMessages``, read through to the board."""
