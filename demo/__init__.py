"""The demo world: realistic landing files drawn from customer archetypes, with the ground truth
kept apart for judging the scorecard."""
