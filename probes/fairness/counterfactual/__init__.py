"""The `counterfactual` probe: identity-term swaps that keep grammar, and how predictions move."""
