"""Races between optimizers: the groups raced together, the races, their tables and maps.

* :mod:`atlas.races.groups` — the optimizers in families of at most six;
* :mod:`atlas.races.race` — a race: every optimizer's path from one start;
* :mod:`atlas.races.run_store` — a surface's chosen runs written once, read back as races;
* :mod:`atlas.races.results` — the ``table/races`` rows: steps to target, ranks, winners;
* :mod:`atlas.races.sensitivity` — steps to target against the learning rate, good windows;
* :mod:`atlas.races.profile` — the Dolan–Moré performance profile over all surfaces;
* :mod:`atlas.races.basins` — which minimum every start of a grid reaches.

The learning rates come from the protocol (:mod:`atlas.protocol`, cached by
:mod:`atlas.learning_rates`); the drawings are in :mod:`atlas.viz`.
"""
