"""The suggestion subgraph (人民建议征集): ``Suggestion`` (an ``Appeal``) and ``Citizen.suggestions``.

The worked example of adding a channel: it is not in the checked-in supergraph; an integrator adds it to a
running gateway by URL (README, "Adding a channel system").
"""
