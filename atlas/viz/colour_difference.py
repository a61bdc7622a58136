r"""How different two colours look: CIEDE2000, in normal and in simulated colour-blind vision.

The book's categorical colours (:mod:`atlas.viz.style`) are checked with these
functions (``tests/test_palette.py``) and were chosen with them
(``tools/palette.py``): every pair of colours shown together in one axes must
be at least :data:`MIN_DELTA_E` apart in CIEDE2000 (Sharma, Wu & Dalal 2005) in
each of four visions, normal and simulated deuteranopia, protanopia and
tritanopia (Machado, Oliveira & Fernandes 2009 at severity 100, as
``colorspacious`` implements it), and as far from the white background.

:func:`ciede2000` is plain numpy. :func:`lab_views` needs ``colorspacious``
(a test extra, imported only when called): the atlas itself never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.colors import to_rgb

#: The least CIEDE2000 difference between colours shown together, and from the background.
MIN_DELTA_E = 10.0
#: The visions checked: normal, and the three dichromacies simulated at severity 100.
VISIONS = ("normal", "deuteranomaly", "protanomaly", "tritanomaly")


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """The CIEDE2000 colour difference of CIELab colours ``(..., 3)`` (kL = kC = kH = 1)."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, dtype=np.float64), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, dtype=np.float64), -1, 0)
    C_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    G = 0.5 * (1 - np.sqrt(C_bar**7 / (C_bar**7 + 25.0**7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp, dCp = L2 - L1, C2p - C1p
    achromatic = C1p * C2p == 0
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(achromatic, 0.0, dh)
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dh / 2))
    Lp_bar, Cp_bar = (L1 + L2) / 2, (C1p + C2p) / 2
    h_sum = h1p + h2p
    hp_bar = np.where(np.abs(h1p - h2p) <= 180, h_sum / 2,
                      np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2))  # fmt: skip
    hp_bar = np.where(achromatic, h_sum, hp_bar)
    T = (1 - 0.17 * np.cos(np.radians(hp_bar - 30)) + 0.24 * np.cos(np.radians(2 * hp_bar))
         + 0.32 * np.cos(np.radians(3 * hp_bar + 6)) - 0.20 * np.cos(np.radians(4 * hp_bar - 63)))
    d_theta = 30 * np.exp(-(((hp_bar - 275) / 25) ** 2))
    R_C = 2 * np.sqrt(Cp_bar**7 / (Cp_bar**7 + 25.0**7))
    S_L = 1 + 0.015 * (Lp_bar - 50) ** 2 / np.sqrt(20 + (Lp_bar - 50) ** 2)
    S_C, S_H = 1 + 0.045 * Cp_bar, 1 + 0.015 * Cp_bar * T
    R_T = -np.sin(np.radians(2 * d_theta)) * R_C
    return np.sqrt((dLp / S_L) ** 2 + (dCp / S_C) ** 2 + (dHp / S_H) ** 2
                   + R_T * (dCp / S_C) * (dHp / S_H))  # fmt: skip


def lab_views(colours: Sequence[str] | np.ndarray) -> dict[str, np.ndarray]:
    """CIELab (D65) of ``colours`` (names, hex, or sRGB rows in [0, 1]) in each vision."""
    from colorspacious import cspace_convert  # a test extra: only the checks need it

    rgb = np.array([to_rgb(c) for c in colours]) if not isinstance(colours, np.ndarray) else colours
    views = {"normal": cspace_convert(rgb, "sRGB1", "CIELab")}
    for kind in VISIONS[1:]:
        space = {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100}
        # The simulation can leave the gamut a little: clip, as a screen would.
        simulated = np.clip(cspace_convert(rgb, space, "sRGB1"), 0.0, 1.0)
        views[kind] = cspace_convert(simulated, "sRGB1", "CIELab")
    return views


def pair_differences(colours: Sequence[str]) -> dict[str, np.ndarray]:
    """Per vision, the symmetric matrix of CIEDE2000 differences between ``colours``."""
    return {vision: ciede2000(lab[:, None, :], lab[None, :, :])
            for vision, lab in lab_views(colours).items()}  # fmt: skip


def least_difference(colours: Sequence[str]) -> tuple[float, str, int, int]:
    """The smallest difference between two of ``colours`` in any vision, with where it is:
    ``(delta_e, vision, i, j)``."""
    worst = (np.inf, "", -1, -1)
    for vision, d in pair_differences(colours).items():
        d = d + np.diag(np.full(len(d), np.inf))
        i, j = np.unravel_index(np.argmin(d), d.shape)
        if d[i, j] < worst[0]:
            worst = (float(d[i, j]), vision, int(i), int(j))
    return worst


def background_differences(colours: Sequence[str], background: str = "#ffffff") -> np.ndarray:
    """The smallest difference of each colour from ``background`` over the visions."""
    views = lab_views([*colours, background])
    return np.min([ciede2000(lab[:-1], lab[-1]) for lab in views.values()], axis=0)
