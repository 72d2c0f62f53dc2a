"""The Account page's tabs (views/account.py), one module each: `sales`, `wallet`, `cost_to_serve`,
`plan`, `score` and `history`, each with a `draw` that fills its tab. What several of them use is
in `shared`."""
