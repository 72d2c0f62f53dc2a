"""The Portfolio page's sections (views/portfolio.py), one module each with a `draw`: the key
accounts' share, concentration, the Pareto and whale curves, the tier matrix, the key-account list
and the development list. What several of them use is in `shared`."""
