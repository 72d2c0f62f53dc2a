"""The Definitions lab's sections (views/definitions_lab.py), one module each with a `draw`: the
custom definition's settings, what each list captures, the backtest, the overlap, the lists side
by side, and the tab of who enters and leaves per compared definition. What several of them use is
in `shared`."""
