// exp, expm1, tanh, sin, cos, sinc and hypot in JavaScript, bit for bit atlas's
// (atlas/surfaces/elementary.py and elementary_kernels.py).
//
// The browsers' Math.exp, Math.tanh, Math.sin and Math.cos differ from numpy's by an ulp here
// and there, and a chaotic run (Ackley, the tanh bowls at large rates) amplifies an ulp past
// 1e-9 within 20 steps. So atlas's surfaces and these use one portable set of functions: ports
// of Sun's fdlibm 5.3 (e_exp.c, s_expm1.c, s_tanh.c, k_sin.c, k_cos.c and the medium-size
// reduction of e_rem_pio2.c), built only from correctly rounded IEEE-754 operations (+, -, *, /,
// comparisons, exact powers of two), written operation by operation as the Python (its
// element-by-element path: the same kernels, pick(c, a, b) being c ? a : b). Why each step is
// what it is: the Python's docstrings. An integer nearest v: (v + 1.5·2^52) - 1.5·2^52. No
// expression here relies on a fused multiply-add (V8 does not contract a * b + c).
//
// Beyond |x| >= 2^20, sin and cos are Math.sin and Math.cos (numpy's in atlas), which may differ
// by an ulp: such a point is more than 10^5 plot widths outside every surface's box.
// hypot is correctly rounded (but for near-ties): Math.hypot is not, nor is numpy's.
//
// fdlibm's notice, which its licence asks to keep (e_exp.c, s_expm1.c: 2004; the others: 1993):
//
//   Copyright (C) 1993, 2004 by Sun Microsystems, Inc. All rights reserved.
//
//   Developed at SunSoft, a Sun Microsystems, Inc. business.
//   Permission to use, copy, modify, and distribute this
//   software is freely granted, provided that this notice
//   is preserved.
(function (root) {
  "use strict";

  var SHIFTER = 6755399441055744.0; // 1.5·2^52
  var EXP_LIMIT = 708.0, TRIG_LIMIT = 1048576.0; // 2^20

  // e_exp.c, s_expm1.c: ln 2 = LN2_HI + LN2_LO
  var LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
  var INVLN2 = 1.44269504088896338700e+00;
  var P1 = 1.66666666666666019037e-01, P2 = -2.77777777770155933842e-03,
      P3 = 6.61375632143793436117e-05, P4 = -1.65339022054652515390e-06,
      P5 = 4.13813679705723846039e-08;
  var Q1 = -3.33333333333331316428e-02, Q2 = 1.58730158725481460165e-03,
      Q3 = -7.93650757867487942473e-05, Q4 = 4.00821782732936239552e-06,
      Q5 = -2.01099218183624371326e-07;
  // e_rem_pio2.c: π/2 = PIO2_1 + PIO2_2 + PIO2_3 + PIO2_3T
  var INVPIO2 = 6.36619772367581382433e-01, PIO2_1 = 1.57079632673412561417e+00,
      PIO2_2 = 6.07710050630396597660e-11, PIO2_3 = 2.02226624871116645580e-21,
      PIO2_3T = 8.47842766036889956997e-32;
  // k_sin.c, k_cos.c
  var S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
      S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
      S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  var C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
      C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
      C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  // tanh a = a + a s T(s), s = a² < 0.3025 (atlas's TANH_T: a Chebyshev fit, constant first)
  var TANH_T = [-0.3333333333333333, 0.13333333333332714, -0.053968253967434016,
                0.021869488493666944, -0.008863234397814355, 0.003592110378689024,
                -0.001455661830100716, 0.0005889360520074057, -0.0002346347410887237,
                8.511313685577672e-05, -2.060276537636634e-05];
  var QX_SHIFTER = 402653184.0; // 1.5·2^28: rounds to a multiple of 2^-24
  var SPLIT = 134217729.0; // 2^27 + 1: Veltkamp's split into two 26-bit halves

  function nearest(v, shifter) {
    return (v + shifter) - shifter;
  }

  // 2^k for an integer -1022 <= k <= 1023, from its bits (not Math.pow).
  var bits = new DataView(new ArrayBuffer(8));
  function pow2(k) {
    bits.setUint32(0, (k + 1023) << 20);
    bits.setUint32(4, 0);
    return bits.getFloat64(0);
  }

  // hypot: 2^±600 brings x into [2^-100, 2^500] where x² neither overflows nor underflows
  var BIG = pow2(500), SMALL = pow2(-500), UP = pow2(600), DOWN = pow2(-600), FAR = pow2(-30);

  // y · 2^k by two exact powers of two (one rounding: the product's, where it is subnormal).
  function scale(y, k) {
    var half = k >> 1;
    return y * pow2(half) * pow2(k - half);
  }

  // e_exp.c for -746 <= x <= 710.
  function expKernel(x) {
    var k = nearest(x * INVLN2, SHIFTER);
    var hi = x - k * LN2_HI;
    var lo = k * LN2_LO;
    var r = hi - lo;
    var t = r * r;
    var c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    return scale(1.0 - ((lo - (r * c) / (2.0 - c)) - hi), k);
  }

  // s_expm1.c for -746 <= x <= 710.
  function expm1Kernel(x) {
    var k = nearest(x * INVLN2, SHIFTER);
    var hi = x - k * LN2_HI;
    var lo = k * LN2_LO;
    var r = hi - lo;
    var c = (hi - r) - lo;
    var hfx = 0.5 * r;
    var hxs = r * hfx;
    var r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    var t = 3.0 - r1 * hfx;
    var e = hxs * ((r1 - t) / (6.0 - r * t));
    e = (r * (e - c) - c) - hxs;
    if (k === 0) return r - e;
    if (k === -1) return 0.5 * (r - e) - 0.5;
    if (k === 1) return r < -0.25 ? -2.0 * (e - (r + 0.5)) : 1.0 + 2.0 * (r - e);
    var outer = k < -1 || k > 56, middle = k >= 20 && k <= 56;
    var twoK = outer ? 0.0 : scale(1.0, -k);
    var far = scale(middle ? (r - (e + twoK)) + 1.0 : (1.0 - twoK) - (e - r), k);
    return far - (outer ? 1.0 : 0.0);
  }

  // tanh a for 0 <= a <= 22: a fitted polynomial below a = 0.55, then s_tanh.c's quotients.
  function tanhKernel(a) {
    if (a < 0.55) {
      var s = a * a, t = TANH_T[10];
      for (var i = 9; i >= 0; i--) t = TANH_T[i] + s * t;
      return a + a * (s * t);
    }
    var u = expm1Kernel(2.0 * a);
    return a >= 1.0 ? 1.0 - 2.0 / (u + 2.0) : u / (u + 2.0);
  }

  // e_rem_pio2.c's medium-size reduction, |x| < 2^20: x = n π/2 + y0 + y1, [n, y0, y1].
  function reduce(x) {
    var n = nearest(x * INVPIO2, SHIFTER);
    var r1 = x - n * PIO2_1;
    var w2 = n * PIO2_2;
    var r2 = r1 - w2;
    var d2 = (r1 - r2) - w2;
    var w3 = n * PIO2_3;
    var r3 = r2 - w3;
    var d3 = (r2 - r3) - w3;
    var w = n * PIO2_3T - (d2 + d3);
    var y0 = r3 - w;
    return [n, y0, (r3 - y0) - w];
  }

  // k_sin.c: sin(y0 + y1), |y0| <~ π/4.
  function sinReduced(y0, y1) {
    var z = y0 * y0;
    var v = z * y0;
    var r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
    return y0 - ((z * (0.5 * y1 - v * r) - y1) - v * S1);
  }

  // k_cos.c: cos(y0 + y1), |y0| <~ π/4 (qx: |y0|/4 rounded to a multiple of 2^-24).
  function cosReduced(y0, y1) {
    var z = y0 * y0;
    var r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
    var a = Math.abs(y0);
    var qx = a < 0.3 ? 0.0 : a > 0.78125 ? 0.28125 : nearest(0.25 * a, QX_SHIFTER);
    return (1.0 - qx) - ((0.5 * z - qx) - (z * r - y0 * y1));
  }

  // sin (shift 0) or cos (shift 1: cos x = sin(x + π/2), a quadrant on) of |x| < 2^20.
  function trig(x, shift) {
    var reduced = reduce(x), y0 = reduced[1], y1 = reduced[2];
    var q = (((reduced[0] + shift) % 4) + 4) % 4; // n + shift mod 4, in 0 … 3
    var value = q === 1 || q === 3 ? cosReduced(y0, y1) : sinReduced(y0, y1);
    return q >= 2 ? -value : value;
  }

  // a b - p exactly, for p = a b rounded (Dekker: Veltkamp's halves).
  function productError(a, b, p) {
    var c = SPLIT * a, aHi = c - (c - a), aLo = a - aHi;
    var d = SPLIT * b, bHi = d - (d - b), bLo = b - bHi;
    return ((aHi * bHi - p) + aHi * bLo + aLo * bHi) + aLo * bLo;
  }

  // √(x² + y²) for finite x >= y > 2^-30 x: the rounded root corrected by the exact residual.
  function hypotKernel(x, y) {
    var down = x > BIG, up = x < SMALL;
    var factor = down ? DOWN : up ? UP : 1.0;
    x = x * factor;
    y = y * factor;
    var xx = x * x, yy = y * y;
    var s = Math.sqrt(xx + yy);
    var ss = s * s;
    var a = xx - ss;
    var b = a + yy;
    var bb = b - a;
    var sumError = (a - (b - bb)) + (yy - bb);
    var residual = b + (sumError + ((productError(x, x, xx) + productError(y, y, yy))
                                    - productError(s, s, ss)));
    return (down ? UP : up ? DOWN : 1.0) * (s + residual / (2.0 * s));
  }

  function exp(x) {
    if (!(Math.abs(x) < EXP_LIMIT)) {
      if (x !== x) return x;
      x = Math.min(Math.max(x, -746.0), 710.0); // beyond: 0 and inf, to the last bit
    }
    return expKernel(x);
  }

  function expm1(x) {
    if (!(Math.abs(x) < EXP_LIMIT)) {
      if (x !== x) return x;
      x = Math.min(Math.max(x, -746.0), 710.0); // beyond: -1 and inf, to the last bit
    }
    return expm1Kernel(x);
  }

  function tanh(x) {
    if (x !== x) return x;
    var z = tanhKernel(Math.min(Math.abs(x), 22.0));
    return x < 0 || (x === 0 && 1 / x < 0) ? -z : z;
  }

  function sin(x) {
    if (!(Math.abs(x) < TRIG_LIMIT)) return Number.isFinite(x) ? Math.sin(x) : NaN;
    return trig(x, 0);
  }

  function cos(x) {
    if (!(Math.abs(x) < TRIG_LIMIT)) return Number.isFinite(x) ? Math.cos(x) : NaN;
    return trig(x, 1);
  }

  // sin(πx)/(πx), 1 at x = 0 (as numpy's sinc: a tiny y replaces πx = 0).
  function sinc(x) {
    var y = Math.PI * x;
    if (y === 0) y = 1e-20;
    return sin(y) / y;
  }

  function hypot(x, y) {
    x = Math.abs(x);
    y = Math.abs(y);
    if (x < y) { var swap = x; x = y; y = swap; }
    if (!(Number.isFinite(x) && y === y)) return Math.hypot(x, y); // inf, or NaN
    if (y <= x * FAR) return x; // also hypot(0, 0)
    return hypotKernel(x, y);
  }

  var api = root.atlasExplorer = root.atlasExplorer || {};
  api.elementary = {exp: exp, expm1: expm1, tanh: tanh, sin: sin, cos: cos, sinc: sinc,
                    hypot: hypot};
})(typeof window !== "undefined" ? window : globalThis);
