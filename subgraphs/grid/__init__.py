"""The grid subgraph (网格化管理): ``GridEvent`` entities read through to the grid system, and its Citizen field."""
