"""The petition (信访) subgraph: ``Petition`` implements ``Appeal``; ``Citizen`` lists a person's 信访件."""
