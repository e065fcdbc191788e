"""The hotline subgraph: 12345 work orders as ``HotlineTicket`` (implements ``Appeal``), reading through to the
hotline system via :mod:`resolvers.adapters.hotline`."""
