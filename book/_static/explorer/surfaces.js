// The atlas test surfaces in JavaScript: f(x, y) and its analytic gradient, in float64.
//
// One entry per surface of atlas/surfaces (course.py, classics.py), in registry order.
// Each formula is written exactly as the Python one, operation by operation, so that
// the two agree to the last bit (+, -, *, /, sqrt are correctly rounded in both). The
// transcendental functions are not the browser's (Math.sin, cos, tanh, exp differ from
// numpy's by an ulp here and there, which chaotic runs amplify): both sides compute exp,
// tanh, sin, cos, sinc and hypot by the same portable operations, elementary.js here and
// atlas/surfaces/elementary.py in atlas (load elementary.js first). tests/test_explorer.py
// checks every trajectory against atlas.
//
// hypot is elementary.js's too, correctly rounded (but for near-ties) on both sides:
// Chromium 156's Math.hypot differed from np.hypot in 36 % of 40,000 arguments in the
// surfaces' boxes, and np.hypot (the C library's) from the correctly rounded one in 0.4 %.
// The integer powers (the surfaces' t³ … t⁶, the optimizers' β^t) are computed here,
// correctly rounded (but for near-ties), so that they do not depend on the browser:
// numpy's and Python's are correctly rounded, or within an ulp; Math.pow in older engines
// is not. Measured: Node 20's Math.pow(t, 3) differed from numpy's t**3 in 11 %, pow here
// in 3 % (as Chromium 156's Math.pow: numpy's SIMD power is not correctly rounded itself),
// and Node 20's Math.pow(β, t) from Python's β**t in 10 % of t = 1 … 1000 for six β, pow
// here in 0.1 % (Chromium 156's in none).
//
// What these formulas mean, their boxes, starts and minima: atlas list surfaces, or the
// explorer's data.json (written by atlas/explorer.py), which the page reads.
(function (root) {
  "use strict";

  var PI = Math.PI;
  var E = root.atlasExplorer.elementary; // elementary.js: exp, tanh, sin, cos, sinc, hypot
  var sq = function (t) { return t * t; }; // t**2 in numpy is t*t, exactly
  var cube = function (t) { return t * t * t; }; // atlas's _cube: (t t) t, in the gradients

  // The rounding error of the product p = a * b, exactly (Dekker: Veltkamp's split of
  // each factor into 26-bit halves), where no half overflows or underflows.
  var SPLIT = 134217729; // 2^27 + 1
  function productError(a, b, p) {
    var c = SPLIT * a, aHigh = c - (c - a), aLow = a - aHigh;
    var d = SPLIT * b, bHigh = d - (d - b), bLow = b - bHigh;
    return ((aHigh * bHigh - p) + aHigh * bLow + aLow * bHigh) + aLow * bLow;
  }
  var SAFE_LOW = Math.pow(2, -900), SAFE_HIGH = Math.pow(2, 900);
  function safe(v) { var a = Math.abs(v); return a > SAFE_LOW && a < SAFE_HIGH; }

  // base^n for an integer n ≥ 0, correctly rounded (but for near-ties): binary powering
  // with each partial power kept as an unevaluated sum h + l (about 100 bits), rounded once.
  // Math.pow where a partial power leaves the safe range (it never does on the surfaces'
  // boxes or for an optimizer's β^t with t < 10^5). Used for the surfaces' t³ … t⁶ and the
  // optimizers' β^t (numpy's t**3 and Python's beta**t: correctly rounded, or within an ulp).
  function pow(base, n) {
    if (!Number.isInteger(n) || n < 0 || !safe(base)) return Math.pow(base, n);
    var rh = 1, rl = 0, bh = base, bl = 0, k = n;
    while (k > 0) {
      var p, e;
      if (k % 2 === 1) { // r ← r b
        p = rh * bh;
        if (!safe(p)) return Math.pow(base, n);
        e = productError(rh, bh, p) + (rh * bl + rl * bh);
        rh = p + e;
        rl = e - (rh - p);
      }
      k = Math.floor(k / 2);
      if (k > 0) { // b ← b²
        p = bh * bh;
        if (!safe(p)) return Math.pow(base, n);
        e = productError(bh, bh, p) + 2 * bh * bl;
        bh = p + e;
        bl = e - (bh - p);
      }
    }
    return rh;
  }

  // d/dx tanh² x = 2 tanh x (1 − tanh² x), with the saved output t = tanh x.
  function tanhSqPrime(x) {
    var t = E.tanh(x);
    return 2 * t * (1 - t * t);
  }

  // d/dx sinc x = (cos πx − sinc x)/x; a Taylor series where |x| < 1e-2 (cancellation).
  var PI2 = Math.pow(PI, 2), PI4 = Math.pow(PI, 4), PI6 = Math.pow(PI, 6);
  function sincPrime(x) {
    if (Math.abs(x) < 1e-2) return x * (-PI2 / 3 + sq(x) * (PI4 / 30 - sq(x) * PI6 / 840));
    return (E.cos(PI * x) - E.sinc(x)) / x;
  }

  function bealeGrad(x, y) {
    var a = 1.5 - x + x * y, b = 2.25 - x + x * sq(y), c = 2.625 - x + x * pow(y, 3);
    return [2 * a * (y - 1) + 2 * b * (sq(y) - 1) + 2 * c * (pow(y, 3) - 1),
            2 * a * x + 4 * b * x * y + 6 * c * x * sq(y)];
  }

  // Goldstein–Price: f = A B with A = 1 + a² p, B = 30 + b² q.
  function gpParts(x, y) {
    var a = x + y + 1, p = 19 - 14 * x + 3 * sq(x) - 14 * y + 6 * x * y + 3 * sq(y);
    var b = 2 * x - 3 * y, q = 18 - 32 * x + 12 * sq(x) + 48 * y - 36 * x * y + 27 * sq(y);
    return {a: a, p: p, b: b, q: q};
  }
  function goldsteinPrice(x, y) {
    var s = gpParts(x, y);
    return (1 + sq(s.a) * s.p) * (30 + sq(s.b) * s.q);
  }
  function goldsteinPriceGrad(x, y) { // product rule on A B (dp/dx = dp/dy)
    var s = gpParts(x, y);
    var A = 1 + sq(s.a) * s.p, B = 30 + sq(s.b) * s.q;
    var dA = 2 * s.a * s.p + sq(s.a) * (-14 + 6 * x + 6 * y);
    var dBdx = 4 * s.b * s.q + sq(s.b) * (-32 + 24 * x - 36 * y);
    var dBdy = -6 * s.b * s.q + sq(s.b) * (48 - 36 * x + 54 * y);
    return [dA * B + A * dBdx, dA * B + A * dBdy];
  }

  // Ackley: r = √½ |(x, y)|; the cone's gradient is 2 e^{−0.2 r} (x, y)/r, 0 at the tip.
  var SQRT_HALF = Math.sqrt(0.5);
  function ackley(x, y) {
    var r = SQRT_HALF * E.hypot(x, y);
    return (-20 * E.exp(-0.2 * r) - E.exp(0.5 * (E.cos(2 * PI * x) + E.cos(2 * PI * y)))
            + Math.E + 20);
  }
  function ackleyGrad(x, y) {
    var r = SQRT_HALF * E.hypot(x, y);
    var safeR = r > 0 ? r : 1.0;
    var cone = 2 * E.exp(-0.2 * r);
    var ripples = PI * E.exp(0.5 * (E.cos(2 * PI * x) + E.cos(2 * PI * y)));
    return [cone * (x / safeR) + ripples * E.sin(2 * PI * x),
            cone * (y / safeR) + ripples * E.sin(2 * PI * y)];
  }

  function leviGrad(x, y) {
    var wx = 1 + sq(E.sin(3 * PI * y)), wy = 1 + sq(E.sin(2 * PI * y));
    return [3 * PI * E.sin(6 * PI * x) + 2 * (x - 1) * wx,
            3 * PI * sq(x - 1) * E.sin(6 * PI * y) + 2 * (y - 1) * wy
            + 2 * PI * sq(y - 1) * E.sin(4 * PI * y)];
  }

  // name -> {f(x, y), grad(x, y) -> [df/dx, df/dy]}, in atlas's registry order.
  var surfaces = {
    // --- the course notes' four surfaces
    saddle: { // y² − x²
      f: function (x, y) { return sq(y) - sq(x); },
      grad: function (x, y) { return [-2 * x, 2 * y]; },
    },
    tanh_squared: { // tanh² x + tanh² y
      f: function (x, y) { return sq(E.tanh(x)) + sq(E.tanh(y)); },
      grad: function (x, y) { return [tanhSqPrime(x), tanhSqPrime(y)]; },
    },
    sinc_well: { // −(sinc x + sinc y) + (x² + y²)/10
      f: function (x, y) { return -(E.sinc(x) + E.sinc(y)) + (sq(x) + sq(y)) / 10; },
      grad: function (x, y) { return [-sincPrime(x) + x / 5, -sincPrime(y) + y / 5]; },
    },
    narrow_valley: { // (x² + y²)/8 + tanh²(10x)
      f: function (x, y) { return (sq(x) + sq(y)) / 8 + sq(E.tanh(10 * x)); },
      grad: function (x, y) { return [x / 4 + 10 * tanhSqPrime(10 * x), y / 4]; },
    },
    // --- classic benchmarks, simple to complex
    sphere: { // x² + y²
      f: function (x, y) { return sq(x) + sq(y); },
      grad: function (x, y) { return [2 * x, 2 * y]; },
    },
    ellipse: { // 0.1 x² + 2 y²
      f: function (x, y) { return 0.1 * sq(x) + 2 * sq(y); },
      grad: function (x, y) { return [0.2 * x, 4 * y]; },
    },
    monkey_saddle: { // x³ − 3 x y²
      f: function (x, y) { return pow(x, 3) - 3 * x * sq(y); },
      grad: function (x, y) { return [3 * sq(x) - 3 * sq(y), -6 * x * y]; },
    },
    booth: { // (x + 2y − 7)² + (2x + y − 5)²
      f: function (x, y) { return sq(x + 2 * y - 7) + sq(2 * x + y - 5); },
      grad: function (x, y) {
        return [2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5), 4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5)];
      },
    },
    matyas: { // 0.26 (x² + y²) − 0.48 x y
      f: function (x, y) { return 0.26 * (sq(x) + sq(y)) - 0.48 * x * y; },
      grad: function (x, y) { return [0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x]; },
    },
    rosenbrock: { // (1 − x)² + 100 (y − x²)²
      f: function (x, y) { return sq(1 - x) + 100 * sq(y - sq(x)); },
      grad: function (x, y) { return [-2 * (1 - x) - 400 * x * (y - sq(x)), 200 * (y - sq(x))]; },
    },
    beale: { // (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²
      f: function (x, y) {
        return sq(1.5 - x + x * y) + sq(2.25 - x + x * sq(y)) + sq(2.625 - x + x * pow(y, 3));
      },
      grad: bealeGrad,
    },
    himmelblau: { // (x² + y − 11)² + (x + y² − 7)²
      f: function (x, y) { return sq(sq(x) + y - 11) + sq(x + sq(y) - 7); },
      grad: function (x, y) {
        return [4 * x * (sq(x) + y - 11) + 2 * (x + sq(y) - 7),
                2 * (sq(x) + y - 11) + 4 * y * (x + sq(y) - 7)];
      },
    },
    three_hump_camel: { // 2x² − 1.05x⁴ + x⁶/6 + xy + y²
      f: function (x, y) {
        return 2 * sq(x) - 1.05 * pow(x, 4) + pow(x, 6) / 6 + x * y + sq(y);
      },
      grad: function (x, y) {
        return [4 * x - 4.2 * cube(x) + cube(x) * (x * x) + y, x + 2 * y];
      },
    },
    six_hump_camel: { // (4 − 2.1x² + x⁴/3) x² + xy + (4y² − 4) y²
      f: function (x, y) {
        return (4 - 2.1 * sq(x) + pow(x, 4) / 3) * sq(x) + x * y + (4 * sq(y) - 4) * sq(y);
      },
      grad: function (x, y) {
        return [8 * x - 8.4 * cube(x) + 2 * (cube(x) * (x * x)) + y,
                x - 8 * y + 16 * cube(y)];
      },
    },
    styblinski_tang: { // ½ Σ (t⁴ − 16t² + 5t)
      f: function (x, y) {
        return (pow(x, 4) - 16 * sq(x) + 5 * x + pow(y, 4) - 16 * sq(y) + 5 * y) / 2;
      },
      grad: function (x, y) {
        return [2 * cube(x) - 16 * x + 2.5, 2 * cube(y) - 16 * y + 2.5];
      },
    },
    goldstein_price: {f: goldsteinPrice, grad: goldsteinPriceGrad},
    rastrigin: { // 20 + x² + y² − 10 (cos 2πx + cos 2πy)
      f: function (x, y) {
        return 20 + sq(x) + sq(y) - 10 * (E.cos(2 * PI * x) + E.cos(2 * PI * y));
      },
      grad: function (x, y) {
        return [2 * x + 20 * PI * E.sin(2 * PI * x), 2 * y + 20 * PI * E.sin(2 * PI * y)];
      },
    },
    ackley: {f: ackley, grad: ackleyGrad},
    levi: { // sin² 3πx + (x − 1)² (1 + sin² 3πy) + (y − 1)² (1 + sin² 2πy)
      f: function (x, y) {
        return (sq(E.sin(3 * PI * x)) + sq(x - 1) * (1 + sq(E.sin(3 * PI * y)))
                + sq(y - 1) * (1 + sq(E.sin(2 * PI * y))));
      },
      grad: leviGrad,
    },
  };

  var api = root.atlasExplorer = root.atlasExplorer || {};
  api.exact = {power: pow}; // for the optimizers (optimizers.js)
  api.surfaceFunctions = surfaces;
  api.surfaces = Object.keys(surfaces);
})(typeof window !== "undefined" ? window : globalThis);
