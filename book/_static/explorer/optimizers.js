// The atlas optimizers in JavaScript: the same update rules, step for step, in float64.
//
// One entry per optimizer of atlas/optimizers, in registry order. Each has
//   defaults            its hyperparameters, named and valued as in atlas (= its reference),
//   kinds               (optional) {name: "int" | "nullable" | "infinite" | "name"}: an integer,
//                       a number or null, a number that may be Infinity, a name or null
//                       (every other number must be finite, every flag a boolean),
//   check(h)            the range checks of atlas's check(): throws an Error showing the value,
//   init(p, h)          the state before the first step (t = 0),
//   update(g, s, p, h, parts) -> [p_new, s_new]   one step; inputs are never modified,
//   averaged(s)         (optional) the averaged iterate the optimizer evaluates at (schedule-free x).
// Points, gradients and per-coordinate state are arrays [x, y]. Each formula is written
// in the order numpy evaluates the Python one, so both round the same way.
//
// The per-tensor rules of atlas (elementwise = False: LAMB, Adafactor, Prodigy, Muon,
// L-BFGS) see one start on a surface as one 1 x 2 matrix (atlas/trajectory.py): their
// norms, dot products and factored moments run over both coordinates. They are written
// here for exactly that case, [x, y] being the matrix's one row.
//
// `parts`, when given, is filled with the explorer's view of the step: `momentum`, the
// part of the step carried over from the momentum buffers of the previous steps (the
// arrow the page draws), or null where no part of the step is theirs: no momentum, or a
// step that is its sign (Lion) or its normalised direction (Muon).
//
// tests/test_explorer.py compares every rule with atlas.trajectory, and fails when an
// atlas optimizer is missing here: a new optimizer in atlas needs its entry below.
(function (root) {
  "use strict";

  // Elementwise helpers over the two coordinates.
  function map(f, a, b, c) {
    return [f(a[0], b && b[0], c && c[0]), f(a[1], b && b[1], c && c[1])];
  }
  var zeros = function () { return [0, 0]; };
  // β^t correctly rounded, as Python's beta**t (older engines' Math.pow is not; surfaces.js)
  var power = function (base, n) { return root.atlasExplorer.exact.power(base, n); };
  var scale = function (k, a) { return [k * a[0], k * a[1]]; };

  function fail(title, name, requirement, value) {
    throw new Error(title + ": " + name + " must be " + requirement + ", got " + show(value));
  }
  function nonnegative(title, h, names) {
    names.forEach(function (name) { if (!(h[name] >= 0)) fail(title, name, ">= 0", h[name]); });
  }
  function checkBetas(title, h) {
    h.betas.forEach(function (beta, i) {
      if (!(beta >= 0 && beta < 1)) fail(title, "betas[" + i + "]", "in [0, 1)", beta);
    });
  }
  // Weight decay added to the gradient (coupled): g + λ θ.
  function coupled(g, p, wd) { return wd !== 0 ? map(function (gi, pi) { return gi + wd * pi; }, g, p) : g; }
  // torch.lerp (atlas.optimizers.base.lerp): start + w (end − start), or from the end when |w| ≥ ½.
  function lerp1(a, b, w) { return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w); }
  function lerp(start, end, w) { return map(function (a, b) { return lerp1(a, b, w); }, start, end); }
  function sq(x) { return x * x; }
  // The two coordinates of a 1 x 2 matrix: its sum of squares, dot product and 2-norm (np.sum: a + b).
  function dot(a, b) { return a[0] * b[0] + a[1] * b[1]; }
  function norm(a) { return Math.sqrt(dot(a, a)); }
  function checkInterval(title, h, key, closedLast) { // pytorch_optimizer's validate_betas
    h[key].forEach(function (beta, i) {
      var closed = closedLast && i === h[key].length - 1;
      if (!(beta >= 0 && (closed ? beta <= 1 : beta < 1))) {
        fail(title, key + "[" + i + "]", closed ? "in [0, 1]" : "in [0, 1)", beta);
      }
    });
  }
  // pytorch_optimizer's apply_weight_decay: -> [g, θ]
  function decay(g, p, h) {
    var wd = h.weight_decay;
    if (wd === 0) return [g, p];
    if (h.weight_decouple) {
      var k = 1.0 - wd * (h.fixed_decay ? 1.0 : h.lr);
      return [g, map(function (pi) { return pi * k; }, p)];
    }
    return [coupled(g, p, wd), p];
  }

  // --- SGD, heavy ball, Nesterov (torch.optim.SGD) ------------------------------------
  // b_t = g_t (t = 1) or μ b_{t−1} + (1 − τ) g_t;  step g_t + μ b_t (Nesterov) or b_t;  θ −= γ step
  function sgdEntry(momentum, nesterov) {
    return {
      defaults: {lr: 1e-3, momentum: momentum, dampening: 0.0, weight_decay: 0.0, nesterov: nesterov},
      check: function (h) {
        nonnegative("SGD", h, ["lr", "momentum", "weight_decay"]);
        if (h.nesterov && h.momentum <= 0) fail("SGD", "momentum", "> 0 when nesterov=True", h.momentum);
        if (h.nesterov && h.dampening !== 0) fail("SGD", "dampening", "0 when nesterov=True", h.dampening);
      },
      init: function () { return {t: 0, b: zeros()}; },
      update: function (g, s, p, h, parts) {
        var t = s.t + 1, mu = h.momentum, tau = h.dampening;
        g = coupled(g, p, h.weight_decay);
        var b = s.b;
        if (mu !== 0) {
          b = t === 1 ? g.slice() : map(function (bi, gi) { return mu * bi + (1 - tau) * gi; }, b, g);
          g = h.nesterov ? map(function (gi, bi) { return gi + mu * bi; }, g, b) : b;
        }
        if (parts) { // carried over: γ μ b_{t−1} (heavy ball), γ μ² b_{t−1} (Nesterov)
          var carry = t === 1 ? 0 : (h.nesterov ? mu * mu : mu);
          parts.momentum = mu !== 0 ? scale(-h.lr * carry, s.b) : null;
        }
        return [map(function (pi, gi) { return pi - h.lr * gi; }, p, g), {t: t, b: b}];
      },
    };
  }

  // --- Adagrad: θ −= γ̃ g / (√(Σ g²) + ε), γ̃ = γ / (1 + (t − 1) η) -------------------
  var adagrad = {
    defaults: {lr: 1e-2, lr_decay: 0.0, weight_decay: 0.0, initial_accumulator_value: 0.0, eps: 1e-10},
    check: function (h) {
      nonnegative("Adagrad", h, ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"]);
    },
    init: function (p, h) { return {t: 0, state_sum: [h.initial_accumulator_value, h.initial_accumulator_value]}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1;
      g = coupled(g, p, h.weight_decay);
      var clr = h.lr / (1 + (t - 1) * h.lr_decay);
      var stateSum = map(function (si, gi) { return si + gi * gi; }, s.state_sum, g);
      var std = map(function (si) { return Math.sqrt(si) + h.eps; }, stateSum);
      if (parts) parts.momentum = null;
      return [map(function (pi, gi, di) { return pi - clr * gi / di; }, p, g, std), {t: t, state_sum: stateSum}];
    },
  };

  // --- RMSprop: v = α v + (1 − α) g²;  θ −= γ g / (√ṽ + ε), or through a momentum buffer b
  var rmsprop = {
    defaults: {lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0.0, momentum: 0.0, centered: false},
    check: function (h) {
      nonnegative("RMSprop", h, ["lr", "eps", "weight_decay", "momentum"]);
      if (!(h.alpha >= 0 && h.alpha <= 1)) fail("RMSprop", "alpha", "in [0, 1]", h.alpha);
    },
    init: function () { return {t: 0, v: zeros(), g_ave: zeros(), b: zeros()}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, alpha = h.alpha, eps = h.eps, mu = h.momentum;
      g = coupled(g, p, h.weight_decay);
      var v = map(function (vi, gi) { return alpha * vi + (1 - alpha) * gi * gi; }, s.v, g);
      var gAve = s.g_ave, avg;
      if (h.centered) { // divide by a standard deviation: v − ḡ², clipped at 0
        gAve = map(function (ai, gi) { return ai + (1 - alpha) * (gi - ai); }, s.g_ave, g);
        avg = map(function (vi, ai) { return Math.sqrt(Math.max(vi - ai * ai, 0)) + eps; }, v, gAve);
      } else {
        avg = map(function (vi) { return Math.sqrt(vi) + eps; }, v);
      }
      var b = s.b, pNew;
      if (mu > 0) {
        b = map(function (bi, gi, ai) { return mu * bi + gi / ai; }, b, g, avg);
        pNew = map(function (pi, bi) { return pi - h.lr * bi; }, p, b);
      } else {
        pNew = map(function (pi, gi, ai) { return pi - h.lr * gi / ai; }, p, g, avg);
      }
      if (parts) parts.momentum = mu > 0 ? scale(-h.lr * mu, s.b) : null;
      return [pNew, {t: t, v: v, g_ave: gAve, b: b}];
    },
  };

  // --- Adadelta: Δ = √(u + ε)/√(v + ε) g;  u = ρ u + (1 − ρ) Δ²;  θ −= γ Δ ------------
  var adadelta = {
    defaults: {lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0.0},
    check: function (h) {
      nonnegative("Adadelta", h, ["lr", "eps", "weight_decay"]);
      if (!(h.rho >= 0 && h.rho <= 1)) fail("Adadelta", "rho", "in [0, 1]", h.rho);
    },
    init: function () { return {t: 0, v: zeros(), u: zeros()}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, rho = h.rho, eps = h.eps;
      g = coupled(g, p, h.weight_decay);
      var v = map(function (vi, gi) { return rho * vi + (1 - rho) * gi * gi; }, s.v, g);
      var delta = map(function (ui, vi, gi) { return Math.sqrt(ui + eps) / Math.sqrt(vi + eps) * gi; }, s.u, v, g);
      var u = map(function (ui, di) { return rho * ui + (1 - rho) * di * di; }, s.u, delta);
      if (parts) parts.momentum = null;
      return [map(function (pi, di) { return pi - h.lr * di; }, p, delta), {t: t, v: v, u: u}];
    },
  };

  // --- Adam, AMSGrad, AdamW (torch.optim.Adam / AdamW) -------------------------------
  // m = β₁ m + (1 − β₁) g;  v = β₂ v + (1 − β₂) g²  (as lerps);  v_max = max(v_max, v) (AMSGrad)
  // θ −= γ/(1 − β₁ᵗ) · c · m / (√v + ε c),  c = √(1 − β₂ᵗ)   (= γ m̂ / (√v̂ + ε))
  function adamEntry(amsgrad, weightDecay, decoupled) {
    return {
      defaults: {lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: weightDecay, amsgrad: amsgrad},
      check: function (h) { nonnegative("Adam", h, ["lr", "eps", "weight_decay"]); checkBetas("Adam", h); },
      init: function () { return {t: 0, m: zeros(), v: zeros(), v_max: zeros()}; },
      update: function (g, s, p, h, parts) {
        var t = s.t + 1, lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], wd = h.weight_decay;
        var theta = p;
        if (wd !== 0) {
          if (decoupled) theta = map(function (pi) { return pi * (1 - lr * wd); }, p);
          else g = coupled(g, p, wd);
        }
        var m = map(function (gi, mi) { return (gi - mi) * (1 - beta1) + mi; }, g, s.m);
        var v = map(function (gi, vi) { return (gi * gi - vi) * (1 - beta2) + vi; }, g, s.v);
        var vMax = h.amsgrad ? map(function (ai, vi) { return Math.max(ai, vi); }, s.v_max, v) : s.v_max;
        var stepSize = lr / (1 - power(beta1, t));
        var bc2Sqrt = Math.sqrt(1 - power(beta2, t));
        var eps = h.eps;
        var denom = map(function (vi) { return Math.sqrt(vi) + eps * bc2Sqrt; }, h.amsgrad ? vMax : v);
        var step = map(function (mi, di) { return (mi / di) * (stepSize * bc2Sqrt); }, m, denom);
        if (parts) { // β₁ m_{t−1} of m_t = β₁ m_{t−1} + (1 − β₁) g_t, through the same scaling
          parts.momentum = map(function (mi, di) { return -(beta1 * mi / di) * (stepSize * bc2Sqrt); }, s.m, denom);
        }
        return [map(function (pi, si) { return pi - si; }, theta, step), {t: t, m: m, v: v, v_max: vMax}];
      },
    };
  }

  // --- Adamax: u = max(β₂ u, |g| + ε);  θ −= γ/(1 − β₁ᵗ) · m / u ----------------------
  var adamax = {
    defaults: {lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.0},
    check: function (h) { nonnegative("Adamax", h, ["lr", "eps", "weight_decay"]); checkBetas("Adamax", h); },
    init: function () { return {t: 0, m: zeros(), u: zeros()}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, beta1 = h.betas[0], beta2 = h.betas[1];
      g = coupled(g, p, h.weight_decay);
      var m = map(function (mi, gi) { return mi + (1 - beta1) * (gi - mi); }, s.m, g);
      var u = map(function (ui, gi) { return Math.max(beta2 * ui, Math.abs(gi) + h.eps); }, s.u, g);
      var clr = h.lr / (1 - power(beta1, t));
      if (parts) parts.momentum = map(function (mi, ui) { return -clr * (beta1 * mi) / ui; }, s.m, u);
      return [map(function (pi, mi, ui) { return pi - clr * mi / ui; }, p, m, u), {t: t, m: m, u: u}];
    },
  };

  // --- NAdam: μ_t = β₁ (1 − ½ 0.96^{tψ});  θ −= γ(1 − μ_t)/(1 − Πμ) g/d + γ μ_{t+1}/(1 − Πμ') m/d
  var nadam = {
    defaults: {lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.0, momentum_decay: 4e-3,
               decoupled_weight_decay: false},
    check: function (h) {
      nonnegative("NAdam", h, ["lr", "eps", "weight_decay", "momentum_decay"]);
      checkBetas("NAdam", h);
    },
    init: function () { return {t: 0, m: zeros(), v: zeros(), mu_product: 1.0}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], psi = h.momentum_decay;
      var wd = h.weight_decay, theta = p;
      if (wd !== 0) {
        if (h.decoupled_weight_decay) theta = map(function (pi) { return pi * (1 - lr * wd); }, p);
        else g = coupled(g, p, wd);
      }
      var mu = beta1 * (1.0 - 0.5 * Math.pow(0.96, t * psi));
      var muNext = beta1 * (1.0 - 0.5 * Math.pow(0.96, (t + 1) * psi));
      var muProduct = s.mu_product * mu, muProductNext = muProduct * muNext;
      var m = map(function (mi, gi) { return mi + (1 - beta1) * (gi - mi); }, s.m, g);
      var v = map(function (vi, gi) { return beta2 * vi + (1 - beta2) * gi * gi; }, s.v, g);
      var bc2 = 1 - power(beta2, t);
      var denom = map(function (vi) { return Math.sqrt(vi / bc2) + h.eps; }, v);
      var cG = lr * (1.0 - mu) / (1.0 - muProduct); // weight of the current gradient
      var cM = lr * muNext / (1.0 - muProductNext); // weight of the look-ahead momentum
      theta = map(function (pi, gi, di) { return pi - cG * gi / di; }, theta, g, denom);
      theta = map(function (pi, mi, di) { return pi - cM * mi / di; }, theta, m, denom);
      if (parts) parts.momentum = map(function (mi, di) { return -cM * (beta1 * mi) / di; }, s.m, denom);
      return [theta, {t: t, m: m, v: v, mu_product: muProduct}];
    },
  };

  // --- RAdam: plain momentum steps while ρ_t ≤ 5, then Adam's step times r_t ----------
  var radam = {
    defaults: {lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.0, decoupled_weight_decay: false},
    check: function (h) { nonnegative("RAdam", h, ["lr", "eps", "weight_decay"]); checkBetas("RAdam", h); },
    init: function () { return {t: 0, m: zeros(), v: zeros()}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], eps = h.eps;
      var wd = h.weight_decay, theta = p;
      if (wd !== 0) {
        if (h.decoupled_weight_decay) theta = map(function (pi) { return pi * (1 - lr * wd); }, p);
        else g = coupled(g, p, wd);
      }
      var m = map(function (mi, gi) { return mi + (1 - beta1) * (gi - mi); }, s.m, g);
      var v = map(function (vi, gi) { return beta2 * vi + (1 - beta2) * gi * gi; }, s.v, g);
      var bc1 = 1 - power(beta1, t), bc2 = 1 - power(beta2, t);
      var mHat = map(function (mi) { return mi / bc1; }, m);
      var rhoInf = 2 / (1 - beta2) - 1;
      var rhoT = rhoInf - 2 * t * power(beta2, t) / bc2;
      var factor; // what multiplies γ m̂ per coordinate: l_t r_t once rectified, else 1
      if (rhoT > 5.0) {
        var rT = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
        var lT = map(function (vi) { return Math.sqrt(bc2) / (Math.sqrt(vi) + eps); }, v);
        theta = map(function (pi, mi, li) { return pi - mi * lr * li * rT; }, theta, mHat, lT);
        factor = map(function (li) { return li * rT; }, lT);
      } else {
        theta = map(function (pi, mi) { return pi - mi * lr; }, theta, mHat);
        factor = [1, 1];
      }
      if (parts) parts.momentum = map(function (mi, fi) { return -(beta1 * mi / bc1) * lr * fi; }, s.m, factor);
      return [theta, {t: t, m: m, v: v}];
    },
  };

  // --- Rprop: per-coordinate steps η, ×η₊ while the sign holds, ×η₋ (and pause) when it flips
  var rprop = {
    defaults: {lr: 1e-2, etas: [0.5, 1.2], step_sizes: [1e-6, 50.0]},
    check: function (h) {
      nonnegative("Rprop", h, ["lr"]);
      if (!(0 < h.etas[0] && h.etas[0] < 1 && 1 < h.etas[1])) {
        fail("Rprop", "etas", "(eta_minus, eta_plus) with 0 < eta_minus < 1 < eta_plus", h.etas);
      }
      if (!(0 < h.step_sizes[0] && h.step_sizes[0] <= h.step_sizes[1])) {
        fail("Rprop", "step_sizes", "(min, max) with 0 < min <= max", h.step_sizes);
      }
    },
    init: function (p, h) { return {t: 0, g_prev: zeros(), eta: [h.lr, h.lr]}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, etaMinus = h.etas[0], etaPlus = h.etas[1];
      var stepMin = h.step_sizes[0], stepMax = h.step_sizes[1];
      var same = map(function (gi, qi) { return Math.sign(gi) * Math.sign(qi); }, g, s.g_prev);
      var eta = map(function (ei, si) {
        var factor = si > 0 ? etaPlus : (si < 0 ? etaMinus : 1.0);
        return Math.min(Math.max(ei * factor, stepMin), stepMax); // np.clip
      }, s.eta, same);
      g = map(function (gi, si) { return si < 0 ? 0 : gi; }, g, same); // a flip pauses the coordinate
      if (parts) parts.momentum = null;
      return [map(function (pi, gi, ei) { return pi - Math.sign(gi) * ei; }, p, g, eta), {t: t, g_prev: g, eta: eta}];
    },
  };

  // --- ASGD (torch.optim.ASGD): θ = θ (1 − λη) − η g;  η_t = γ/(1 + λγt)^α;  ā averages from t₀ on
  var asgd = {
    defaults: {lr: 1e-2, lambd: 1e-4, alpha: 0.75, t0: 1e6, weight_decay: 0.0},
    check: function (h) { nonnegative("ASGD", h, ["lr", "weight_decay", "lambd"]); },
    init: function (p, h) { return {t: 0, eta: h.lr, mu: 1.0, ax: zeros()}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, lr = h.lr, lambd = h.lambd, eta = s.eta, mu = s.mu;
      g = coupled(g, p, h.weight_decay);
      var k = 1 - lambd * eta;
      var theta = map(function (pi, gi) { return pi * k - eta * gi; }, p, g);
      var ax = mu === 1 ? theta.slice() : map(function (ai, ti) { return ai + mu * (ti - ai); }, s.ax, theta);
      var etaNext = lr / Math.pow(1 + lambd * lr * t, h.alpha);
      var muNext = 1 / Math.max(1.0, t - h.t0);
      if (parts) parts.momentum = null;
      return [theta, {t: t, eta: etaNext, mu: muNext, ax: ax}];
    },
  };

  // --- Schedule-free SGD and AdamW (schedulefree): gradients at y, between z and its average x
  //   γ_t = γ min(1, t/T_w);  w_t = t^r (γ_max)^p;  c_t = w_t / Σw
  //   y = lerp(y, z, c) + γ_t (β (1 − c) − 1) ĝ;  z = z − γ_t ĝ;  x = lerp(x, z, c)
  function scheduleFreeCheck(title, h) {
    nonnegative(title, h, ["lr", "weight_decay", "warmup_steps", "weight_lr_power"]);
  }
  function scheduleFreeStep(g, s, y, h, beta1, v) { // ĝ = g: the new [y, state]
    var k = s.t;
    var sched = k < h.warmup_steps ? (k + 1) / h.warmup_steps : 1.0;
    var lr = h.lr * sched, lrMax = Math.max(lr, s.lr_max);
    var weight = Math.pow(k + 1, h.r) * Math.pow(lrMax, h.weight_lr_power);
    var weightSum = s.weight_sum + weight;
    var c = weightSum !== 0 ? weight / weightSum : 0.0;
    var ahead = lr * (beta1 * (1 - c) - 1);
    var yNew = map(function (li, gi) { return li + ahead * gi; }, lerp(y, s.z, c), g);
    var z = map(function (zi, gi) { return zi - lr * gi; }, s.z, g);
    var state = {t: k + 1, z: z, x: lerp(s.x, z, c), weight_sum: weightSum, lr_max: lrMax};
    if (v) state.v = v;
    return [yNew, state];
  }
  var SCHEDULE_KINDS = {warmup_steps: "int"};
  var scheduleFreeSgd = {
    defaults: {lr: 1.0, momentum: 0.9, weight_decay: 0.0, warmup_steps: 0, r: 0.0, weight_lr_power: 2.0},
    kinds: SCHEDULE_KINDS,
    check: function (h) {
      scheduleFreeCheck("Schedule-free SGD", h);
      if (!(h.momentum > 0 && h.momentum < 1)) fail("Schedule-free SGD", "momentum", "in (0, 1)", h.momentum);
    },
    init: function (p) { return {t: 0, z: p.slice(), x: p.slice(), weight_sum: 0.0, lr_max: -1.0}; },
    update: function (g, s, p, h, parts) {
      g = coupled(g, p, h.weight_decay);
      if (parts) parts.momentum = null;
      return scheduleFreeStep(g, s, p, h, h.momentum, null);
    },
    averaged: function (s) { return s.x; },
  };
  var scheduleFreeAdamw = {
    defaults: {lr: 0.0025, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.0, warmup_steps: 0, r: 0.0,
               weight_lr_power: 2.0},
    kinds: SCHEDULE_KINDS,
    check: function (h) {
      var title = "Schedule-free AdamW";
      scheduleFreeCheck(title, h);
      nonnegative(title, h, ["eps"]);
      if (!(h.betas[0] > 0 && h.betas[0] < 1)) fail(title, "betas", "such that 0 < betas[0] < 1", h.betas);
      if (!(h.betas[1] >= 0 && h.betas[1] < 1)) fail(title, "betas", "such that 0 <= betas[1] < 1", h.betas);
    },
    init: function (p) {
      return {t: 0, z: p.slice(), x: p.slice(), weight_sum: 0.0, lr_max: -1.0, v: zeros()};
    },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, beta2 = h.betas[1], eps = h.eps, wd = h.weight_decay;
      var v = map(function (vi, gi) { return beta2 * vi + (1 - beta2) * (gi * gi); }, s.v, g);
      var bc2 = 1 - power(beta2, t);
      var gHat = map(function (gi, vi) { return gi / (Math.sqrt(vi / bc2) + eps); }, g, v);
      if (wd !== 0) gHat = map(function (ci, yi) { return ci + wd * yi; }, gHat, p);
      if (parts) parts.momentum = null;
      return scheduleFreeStep(gHat, s, p, h, h.betas[0], v);
    },
    averaged: function (s) { return s.x; },
  };

  // --- AdaBelief (adabelief-pytorch 0.2.1, its defaults: decoupled decay, rectified) ---------
  // s = β₂ s + (1 − β₂)(g − m)² + ε;  θ −= γ r_t/(1 − β₁ᵗ) · m/(√s + ε) once ρ_t ≥ 5
  var adabelief = {
    defaults: {lr: 1e-3, betas: [0.9, 0.999], eps: 1e-16, weight_decay: 0.0, amsgrad: false,
               weight_decouple: true, fixed_decay: false, rectify: true, degenerated_to_sgd: true},
    check: function (h) { nonnegative("AdaBelief", h, ["lr", "eps", "weight_decay"]); checkBetas("AdaBelief", h); },
    init: function () { return {t: 0, m: zeros(), s: zeros(), s_max: zeros()}; },
    update: function (g, st, p, h, parts) {
      var t = st.t + 1, lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], eps = h.eps, wd = h.weight_decay;
      var theta = p;
      if (h.weight_decouple) {
        var k = 1.0 - (h.fixed_decay ? wd : lr * wd);
        theta = map(function (pi) { return pi * k; }, p);
      } else if (wd !== 0) {
        g = coupled(g, p, wd);
      }
      var bc1 = 1 - power(beta1, t), bc2 = 1 - power(beta2, t);
      var m = map(function (mi, gi) { return beta1 * mi + (1 - beta1) * gi; }, st.m, g);
      var s = map(function (si, gi, mi) { var r = gi - mi; return beta2 * si + (1 - beta2) * r * r + eps; }, st.s, g, m);
      var sMax = h.amsgrad ? map(function (a, b) { return Math.max(a, b); }, st.s_max, s) : st.s_max;
      // the step: scale · m / denom, or scale · m (plain momentum), or none
      var scale = null, denom = null;
      if (!h.rectify) {
        var sqrtBc2 = Math.sqrt(bc2);
        denom = map(function (si) { return Math.sqrt(si) / sqrtBc2 + eps; }, h.amsgrad ? sMax : s);
        scale = lr / bc1;
      } else {
        var rhoInf = 2 / (1 - beta2) - 1;
        var rhoT = rhoInf - 2 * t * power(beta2, t) / bc2;
        if (rhoT >= 5) { // the package's expression, term by term
          var stepSize = Math.sqrt(bc2 * (rhoT - 4) / (rhoInf - 4) * (rhoT - 2) / rhoT * rhoInf / (rhoInf - 2)) / bc1;
          denom = map(function (si) { return Math.sqrt(si) + eps; }, s);
          scale = stepSize * lr;
        } else if (h.degenerated_to_sgd) {
          scale = lr / bc1;
        }
      }
      if (scale !== null && denom !== null) {
        theta = map(function (ti, mi, di) { return ti - scale * (mi / di); }, theta, m, denom);
      } else if (scale !== null) {
        theta = map(function (ti, mi) { return ti - scale * mi; }, theta, m);
      }
      if (parts) {
        parts.momentum = scale === null ? null : map(function (mi, di) { return -scale * (beta1 * mi) / di; },
                                                     st.m, denom || [1, 1]);
      }
      return [theta, {t: t, m: m, s: s, s_max: sMax}];
    },
  };

  // --- Yogi, Adan, AdEMAMix (pytorch_optimizer 4.1.0) -----------------------------------------
  // Yogi: v = v − (1 − β₂) sign(v − g²) g²;  θ −= γ/(1 − β₁ᵗ) · m/(√v/√(1 − β₂ᵗ) + ε)
  var yogi = {
    defaults: {lr: 1e-2, betas: [0.9, 0.999], initial_accumulator: 1e-6, weight_decay: 0.0,
               weight_decouple: true, fixed_decay: false, eps: 1e-3},
    check: function (h) {
      nonnegative("Yogi", h, ["lr", "weight_decay", "eps", "initial_accumulator"]);
      checkInterval("Yogi", h, "betas", false);
    },
    init: function (p, h) {
      var a = h.initial_accumulator;
      return {t: 0, m: [a, a], v: [a, a]};
    },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], eps = h.eps;
      var gp = decay(g, p, h), theta = gp[1];
      g = gp[0];
      var m = lerp(s.m, g, 1.0 - beta1);
      var v = map(function (vi, gi) { var g2 = gi * gi; return vi - (1.0 - beta2) * (Math.sign(vi - g2) * g2); }, s.v, g);
      var sqrtBc2 = Math.sqrt(1 - power(beta2, t));
      var denom = map(function (vi) { return Math.sqrt(vi) / sqrtBc2 + eps; }, v);
      var stepSize = lr / (1 - power(beta1, t));
      if (parts) parts.momentum = map(function (mi, di) { return -stepSize * (beta1 * mi / di); }, s.m, denom);
      return [map(function (ti, mi, di) { return ti - stepSize * (mi / di); }, theta, m, denom), {t: t, m: m, v: v}];
    },
  };

  // Adan: Δ = g − g_prev (0 at t = 1);  m, d, n: EMAs of g, Δ, (g + β₂Δ)²;
  //   θ −= γ/(1 − β₁ᵗ) · m/δ + γβ₂/(1 − β₂ᵗ) · d/δ,  δ = √n/√(1 − β₃ᵗ) + ε
  var adan = {
    defaults: {lr: 1e-3, betas: [0.98, 0.92, 0.99], weight_decay: 0.0, weight_decouple: false, eps: 1e-8},
    check: function (h) {
      nonnegative("Adan", h, ["lr", "weight_decay", "eps"]);
      checkInterval("Adan", h, "betas", false);
    },
    init: function () { return {t: 0, m: zeros(), d: zeros(), n: zeros(), g_prev: zeros()}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], beta3 = h.betas[2];
      var wd = h.weight_decay;
      var diff = t > 1 ? map(function (gi, qi) { return gi - qi; }, g, s.g_prev) : zeros();
      var m = lerp(s.m, g, 1.0 - beta1);
      var d = lerp(s.d, diff, 1.0 - beta2);
      var n = map(function (ni, di, gi) { var a = beta2 * di + gi; return beta3 * ni + (1.0 - beta3) * (a * a); },
                  s.n, diff, g);
      var sqrtBc3 = Math.sqrt(1 - power(beta3, t));
      var denom = map(function (ni) { return Math.sqrt(ni) / sqrtBc3 + h.eps; }, n);
      var theta = p;
      if (wd !== 0 && h.weight_decouple) theta = map(function (pi) { return pi * (1.0 - lr * wd); }, p);
      var cM = lr / (1 - power(beta1, t)), cD = lr * beta2 / (1 - power(beta2, t));
      theta = map(function (ti, mi, di) { return ti - cM * (mi / di); }, theta, m, denom);
      theta = map(function (ti, di, ei) { return ti - cD * (di / ei); }, theta, d, denom);
      if (wd !== 0 && !h.weight_decouple) theta = map(function (ti) { return ti / (1.0 + lr * wd); }, theta);
      if (parts) { // the carried parts of m and d: β₁ m_{t−1} and β₂ d_{t−1}, through the same scaling
        parts.momentum = map(function (mi, di, ei) { return -cM * (beta1 * mi / ei) - cD * (beta2 * di / ei); },
                             s.m, s.d, denom);
      }
      return [theta, {t: t, m: m, d: d, n: n, g_prev: g.slice()}];
    },
  };

  // AdEMAMix: Adam's m plus α times a slow EMA m_slow (β₃), both over √v̂ + ε; with
  // t_alpha_beta3 = T, α and β₃ warm up over T steps.
  var ademamix = {
    defaults: {lr: 1e-3, betas: [0.9, 0.999, 0.9999], weight_decay: 0.0, weight_decouple: false,
               fixed_decay: false, alpha: 5.0, t_alpha_beta3: null, eps: 1e-8},
    kinds: {t_alpha_beta3: "nullable"},
    check: function (h) {
      nonnegative("AdEMAMix", h, ["lr", "alpha", "weight_decay", "eps"]);
      checkInterval("AdEMAMix", h, "betas", true);
      if (h.t_alpha_beta3 !== null) {
        if (!(h.t_alpha_beta3 > 0)) fail("AdEMAMix", "t_alpha_beta3", "> 0 (or None, for no warm-up)", h.t_alpha_beta3);
        if (!(h.betas[0] > 0 && h.betas[0] <= h.betas[2])) {
          fail("AdEMAMix", "betas", "such that 0 < betas[0] <= betas[2] with t_alpha_beta3", h.betas);
        }
      }
    },
    init: function () { return {t: 0, m: zeros(), m_slow: zeros(), v: zeros()}; },
    schedule: function (t, h) { // [α_t, β₃_t]
      var alpha = h.alpha, beta1 = h.betas[0], beta3 = h.betas[2], T = h.t_alpha_beta3;
      if (T === null) return [alpha, beta3];
      var logBeta1 = Math.log(beta1), logBeta3 = Math.log(beta3);
      var mixed = (1.0 - t / T) * logBeta3 + (t / T) * logBeta1;
      return [Math.min(t * alpha / T, alpha), Math.min(Math.exp(logBeta1 * logBeta3 / mixed), beta3)];
    },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1];
      var sched = ademamix.schedule(t, h), alphaT = sched[0], beta3T = sched[1];
      var gp = decay(g, p, h), theta = gp[1];
      g = gp[0];
      var m = lerp(s.m, g, 1.0 - beta1);
      var v = map(function (vi, gi) { return beta2 * vi + (1.0 - beta2) * (gi * gi); }, s.v, g);
      var mSlow = lerp(s.m_slow, g, 1.0 - beta3T);
      var sqrtBc2 = Math.sqrt(1 - power(beta2, t)), bc1 = 1 - power(beta1, t);
      var denom = map(function (vi) { return Math.sqrt(vi) / sqrtBc2 + h.eps; }, v);
      var step = map(function (mi, si) { return mi / bc1 + alphaT * si; }, m, mSlow);
      if (parts) { // the carried parts β₁ m_{t−1} and β₃ m_slow_{t−1}
        parts.momentum = map(function (mi, si, di) { return -lr * ((beta1 * mi / bc1 + alphaT * beta3T * si) / di); },
                             s.m, s.m_slow, denom);
      }
      return [map(function (ti, si, di) { return ti - lr * (si / di); }, theta, step, denom),
              {t: t, m: m, m_slow: mSlow, v: v}];
    },
  };

  // --- Lion (lion-pytorch 0.2.5): θ = θ (1 − γλ') − γ sign(β₁ m + (1 − β₁) g);  m = β₂ m + (1 − β₂) g
  var lion = {
    defaults: {lr: 1e-4, betas: [0.9, 0.99], weight_decay: 0.0, decoupled_weight_decay: false},
    check: function (h) {
      if (!(h.lr > 0)) fail("Lion", "lr", "> 0", h.lr);
      nonnegative("Lion", h, ["weight_decay"]);
      h.betas.forEach(function (beta, i) { if (!(beta >= 0 && beta <= 1)) fail("Lion", "betas[" + i + "]", "in [0, 1]", beta); });
    },
    init: function (p, h) { return {t: 0, m: zeros(), lr0: h.lr}; },
    update: function (g, s, p, h, parts) {
      var lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], wd = h.weight_decay;
      if (h.decoupled_weight_decay) wd = wd / s.lr0; // the package divides by the lr it was built with
      var k = 1 - lr * wd;
      var theta = map(function (pi, mi, gi) { return pi * k - lr * Math.sign(beta1 * mi + (1 - beta1) * gi); }, p, s.m, g);
      var m = map(function (mi, gi) { return beta2 * mi + (1 - beta2) * gi; }, s.m, g);
      if (parts) parts.momentum = null; // the step is a sign: no part of it is the momentum's
      return [theta, {t: s.t + 1, m: m, lr0: s.lr0}];
    },
  };

  // --- LAMB (pytorch_optimizer 4.1.0), per tensor: Adam's u = m/(√v + ε) times the trust ratio
  // r = min(‖θ‖, 10)/(‖u‖ + ε) (1 where a norm is 0);  θ −= γ/(1 − β₁ᵗ) · r u
  var lamb = {
    defaults: {lr: 1e-3, betas: [0.9, 0.999], weight_decay: 0.0, weight_decouple: true, fixed_decay: false,
               grad_averaging: true, adam: false, eps: 1e-6},
    check: function (h) { nonnegative("LAMB", h, ["lr", "weight_decay", "eps"]); checkInterval("LAMB", h, "betas", false); },
    init: function () { return {t: 0, m: zeros(), v: zeros(), trust_ratio: 1.0}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1, lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], eps = h.eps, wd = h.weight_decay;
      var beta3 = h.grad_averaging ? 1.0 - beta1 : 1.0;
      var stepSize = lr / (1.0 - power(beta1, t));
      var theta = p;
      if (h.weight_decouple && wd !== 0) {
        var k = 1.0 - wd * (h.fixed_decay ? 1.0 : lr);
        theta = map(function (pi) { return pi * k; }, p);
      }
      var m = map(function (mi, gi) { return mi * beta1 + beta3 * gi; }, s.m, g);
      var v = map(function (vi, gi) { return vi * beta2 + (1.0 - beta2) * gi * gi; }, s.v, g);
      var u = map(function (vi, mi) { return 1 / (Math.sqrt(vi) + eps) * mi; }, v, m);
      if (!h.weight_decouple && wd > 0) u = map(function (ui, ti) { return ui + wd * ti; }, u, theta);
      var weightNorm = Math.min(norm(theta), 10.0), uNorm = norm(u); // pytorch_optimizer's clamp
      var trust = weightNorm !== 0 && uNorm !== 0 ? weightNorm / (uNorm + eps) : 1.0;
      if (!h.adam) u = map(function (ui) { return ui * trust; }, u);
      if (parts) {
        var r = h.adam ? 1.0 : trust;
        parts.momentum = map(function (mi, vi) { return -stepSize * (beta1 * mi / (Math.sqrt(vi) + eps) * r); }, s.m, v);
      }
      return [map(function (ti, ui) { return ti - stepSize * ui; }, theta, u),
              {t: t, m: m, v: v, trust_ratio: trust}];
    },
  };

  // --- Adafactor (torch.optim.Adafactor) on a 1 x 2 matrix: row factor R (1 number), column
  // factors C (2), V̂ = R C / max(R, ε₁); U = G/√max(V̂, ε₁²); a relative step α_t = max(ε₂, RMS θ) ρ_t,
  // ρ_t = min(γ, 1/√t), with U clipped to RMS ≤ d.
  var ROOT_SIZE = Math.sqrt(2); // √(number of entries) of a 1 x 2 matrix
  var adafactor = {
    defaults: {lr: 1e-2, beta2_decay: -0.8, eps: [null, 1e-3], d: 1.0, weight_decay: 0.0},
    kinds: {eps: "nullable"},
    check: function (h) {
      nonnegative("Adafactor", h, ["lr", "weight_decay"]);
      if (!(h.beta2_decay <= 0)) fail("Adafactor", "beta2_decay", "<= 0", h.beta2_decay);
      if ((h.eps[0] !== null && !(h.eps[0] >= 0)) || !(h.eps[1] >= 0)) {
        fail("Adafactor", "eps", "(eps1, eps2) with eps1 None or >= 0, and eps2 >= 0", h.eps);
      }
      if (!(h.d >= 1)) fail("Adafactor", "d", ">= 1", h.d);
    },
    init: function () { return {t: 0, row_var: 0.0, col_var: zeros()}; },
    update: function (g, s, p, h, parts) {
      var t = s.t + 1;
      var eps1 = h.eps[0] === null ? Number.EPSILON : h.eps[0], eps2 = h.eps[1]; // float64's eps
      var oneMinusBeta2 = Math.pow(t, h.beta2_decay);
      var rho = Math.min(h.lr, 1 / Math.sqrt(t));
      var alpha = Math.max(eps2, norm(p) / ROOT_SIZE) * rho;
      var theta = p;
      if (h.weight_decay !== 0) {
        var k = 1 - h.lr * h.weight_decay;
        theta = map(function (pi) { return pi * k; }, p);
      }
      var rowMean = sq(Math.sqrt(dot(g, g))) / 2; // torch: the squared norm over the row's length
      var colMean = map(function (gi) { return sq(Math.sqrt(gi * gi)) / 1; }, g);
      var rowVar = lerp1(s.row_var, rowMean, oneMinusBeta2);
      var colVar = lerp(s.col_var, colMean, oneMinusBeta2);
      var vHat = map(function (ci) { return rowVar * ci / Math.max(rowVar / 1, eps1); }, colVar);
      var u = map(function (vi, gi) { return 1 / Math.sqrt(Math.max(vi, eps1 * eps1)) * gi; }, vHat, g);
      var denom = Math.max(1.0, norm(u) / (ROOT_SIZE * h.d));
      var c = -alpha / denom;
      if (parts) parts.momentum = null;
      return [map(function (ti, ui) { return ti + ui * c; }, theta, u), {t: t, row_var: rowVar, col_var: colVar}];
    },
  };

  // --- Prodigy (prodigyopt 1.1.2; one d per tensor, as atlas): Adam's step times a learnt d,
  // d̂ = Σ (d/d₀) γd ⟨g, θ₀ − θ⟩ / ‖s‖₁, which only grows. Every slice_p-th entry feeds d:
  // of a 1 x 2 matrix, both (slice_p = 1) or the first.
  var prodigy = {
    defaults: {lr: 1.0, betas: [0.9, 0.999], beta3: null, eps: 1e-8, weight_decay: 0.0, decouple: true,
               use_bias_correction: false, safeguard_warmup: false, d0: 1e-6, d_coef: 1.0,
               growth_rate: Infinity, slice_p: 1},
    kinds: {beta3: "nullable", growth_rate: "infinite", slice_p: "int"},
    check: function (h) {
      ["d0", "lr", "eps"].forEach(function (key) { if (!(h[key] > 0)) fail("Prodigy", key, "> 0", h[key]); });
      checkInterval("Prodigy", h, "betas", false);
      nonnegative("Prodigy", h, ["weight_decay"]);
      if (h.beta3 !== null && !(h.beta3 >= 0 && h.beta3 <= 1)) fail("Prodigy", "beta3", "None or in [0, 1]", h.beta3);
      if (!(h.growth_rate >= 1)) fail("Prodigy", "growth_rate", ">= 1", h.growth_rate);
      if (!(h.slice_p >= 1)) fail("Prodigy", "slice_p", ">= 1", h.slice_p);
    },
    sliced: function (a, h) { return h.slice_p === 1 ? a.slice() : [a[0]]; },
    init: function (p, h) {
      var p0 = prodigy.sliced(p, h);
      return {t: 0, m: zeros(), v: zeros(), s: p0.map(function () { return 0; }), p0: p0, d: h.d0, d_max: h.d0,
              d_numerator: 0.0, k: 0};
    },
    update: function (g, st, p, h, parts) {
      var lr = h.lr, beta1 = h.betas[0], beta2 = h.betas[1], eps = h.eps, d0 = h.d0, wd = h.weight_decay;
      var beta3 = h.beta3 === null ? Math.sqrt(beta2) : h.beta3;
      var d = st.d, k = st.k;
      var bc = h.use_bias_correction ? Math.sqrt(1 - power(beta2, k + 1)) / (1 - power(beta1, k + 1)) : 1.0;
      var dlr = d * lr * bc;
      var dNumerator = st.d_numerator * beta3;
      if (wd !== 0 && !h.decouple) g = coupled(g, p, wd);
      var gSliced = prodigy.sliced(g, h), xSliced = prodigy.sliced(p, h);
      var product = 0; // np.sum(g (θ₀ − θ)) over the sliced entries
      gSliced.forEach(function (gi, i) { var term = gi * (st.p0[i] - xSliced[i]); product = i === 0 ? term : product + term; });
      var deltaNumerator = (d / d0) * dlr * product;
      var cM = d * (1 - beta1), cV = d * d * (1 - beta2);
      var m = beta1 > 0 ? map(function (mi, gi) { return mi * beta1 + cM * gi; }, st.m, g) : st.m;
      var v = map(function (vi, gi) { return vi * beta2 + cV * gi * gi; }, st.v, g);
      var weight = (d / d0) * (h.safeguard_warmup ? d : dlr);
      var s = st.s.map(function (si, i) { return si * beta3 + weight * gSliced[i]; });
      var dDenom = 0;
      s.forEach(function (si, i) { dDenom = i === 0 ? Math.abs(si) : dDenom + Math.abs(si); });
      var moving = dDenom !== 0; // nothing seen yet (Σ|s| = 0): no step, d unchanged
      var globalNumerator = dNumerator + deltaNumerator;
      var dHat = h.d_coef * globalNumerator / (moving ? dDenom : 1.0);
      var dNew = d === d0 ? Math.max(d, dHat) : d;
      var dMax = Math.max(st.d_max, dHat);
      dNew = Math.min(dMax, dNew * h.growth_rate);
      var denom = map(function (vi) { return Math.sqrt(vi) + dNew * eps; }, v);
      var theta = p;
      if (wd !== 0 && h.decouple) {
        var c = -wd * dlr;
        theta = map(function (ti) { return ti + c * ti; }, theta);
      }
      if (beta1 > 0) {
        theta = map(function (ti, mi, di) { return ti + -dlr * (mi / di); }, theta, m, denom);
      } else {
        var c1 = -dlr * dNew;
        theta = map(function (ti, gi, di) { return ti + c1 * (gi / di); }, theta, g, denom);
      }
      if (parts) {
        parts.momentum = moving && beta1 > 0
          ? map(function (mi, di) { return -dlr * (beta1 * mi / di); }, st.m, denom) : null;
      }
      return [moving ? theta : p, {
        t: st.t + 1, m: m, v: v, s: s, p0: st.p0, d: moving ? dNew : d, d_max: moving ? dMax : st.d_max,
        d_numerator: moving ? globalNumerator : st.d_numerator, k: moving ? k + 1 : k}];
    },
  };

  // --- Muon (torch.optim.Muon, Newton–Schulz in float64) on a 1 x 2 matrix ---------------------
  // B = lerp(B, g, 1 − μ);  B̃ = lerp(g, B, μ) (Nesterov) or B;  X = B̃/max(‖B̃‖, ε), then k times
  // A = X Xᵀ (1 x 1), X = aX + (bA + cA²) X;  θ = θ (1 − γλ) − γ' X,  γ' = γ (the original
  // adjustment √max(1, 1/2)) or 0.2 γ √2 (match_rms_adamw).
  var muon = {
    defaults: {lr: 1e-3, weight_decay: 0.1, momentum: 0.95, nesterov: true,
               ns_coefficients: [3.4445, -4.775, 2.0315], eps: 1e-7, ns_steps: 5, adjust_lr_fn: null},
    kinds: {ns_steps: "int", adjust_lr_fn: "name"},
    check: function (h) {
      nonnegative("Muon", h, ["lr", "momentum", "weight_decay", "eps", "ns_steps"]);
      if (!(h.ns_steps < 100)) fail("Muon", "ns_steps", "less than 100", h.ns_steps);
      if ([null, "original", "match_rms_adamw"].indexOf(h.adjust_lr_fn) < 0) {
        fail("Muon", "adjust_lr_fn", "None, 'original' or 'match_rms_adamw'", h.adjust_lr_fn);
      }
    },
    init: function () { return {t: 0, b: zeros()}; },
    update: function (g, s, p, h, parts) {
      var lr = h.lr, mu = h.momentum;
      var b = lerp(s.b, g, 1 - mu);
      var o = h.nesterov ? lerp(g, b, mu) : b;
      var a = h.ns_coefficients[0], bb = h.ns_coefficients[1], cc = h.ns_coefficients[2];
      var size = Math.max(norm(o), h.eps);
      o = map(function (oi) { return oi / size; }, o);
      for (var i = 0; i < h.ns_steps; i++) {
        // A = X Xᵀ, added in order as atlas sums it (not by numpy's matmul, which may fuse)
        var gram = dot(o, o), inner = bb * gram + cc * (gram * gram);
        o = map(function (oi) { return a * oi + inner * oi; }, o);
      }
      var adjusted = h.adjust_lr_fn === "match_rms_adamw" ? lr * 0.2 * Math.sqrt(2) : lr * Math.sqrt(1);
      var k = 1 - lr * h.weight_decay;
      if (parts) parts.momentum = null; // the step is normalised: no part of it is the momentum's
      return [map(function (pi, oi) { return pi * k - adjusted * oi; }, p, o), {t: s.t + 1, b: b}];
    },
  };

  // --- L-BFGS (torch.optim.LBFGS, max_iter = 1, no line search) on a 1 x 2 matrix ----------------
  // The pairs (y, s) of the last steps with yᵀs > 1e-10 (at most history_size), d = −H g by the
  // two-loop recursion on γ_H I; the first step −g with length γ min(1, 1/‖g‖₁), then γ.
  var CURVATURE_THRESHOLD = 1e-10;
  var lbfgs = {
    defaults: {lr: 1.0, tolerance_grad: 1e-7, tolerance_change: 1e-9, history_size: 100},
    kinds: {history_size: "int"},
    check: function (h) {
      nonnegative("L-BFGS", h, ["lr"]);
      if (!(h.history_size >= 1)) fail("L-BFGS", "history_size", ">= 1", h.history_size);
    },
    init: function () {
      return {t: 0, direction: zeros(), step_length: 0, g_prev: zeros(), ys: [], ss: [], rho: [],
              h_diag: 1, n_iter: 0};
    },
    update: function (g, st, p, h, parts) {
      if (parts) parts.momentum = null;
      var active = !(Math.max(0, Math.abs(g[0]), Math.abs(g[1])) <= h.tolerance_grad);
      if (!active) return [p, Object.assign({}, st, {t: st.t + 1})]; // a flat spot: state kept
      var nIter = st.n_iter + 1, first = nIter === 1;
      var ys = st.ys, ss = st.ss, rho = st.rho, hDiag = st.h_diag, direction, stepLength;
      if (first) {
        direction = [-g[0], -g[1]];
        var l1 = Math.abs(g[0]) + Math.abs(g[1]);
        stepLength = Math.min(1.0, l1 > 0 ? 1.0 / l1 : Infinity) * h.lr;
      } else {
        var y = [g[0] - st.g_prev[0], g[1] - st.g_prev[1]];
        var s = [st.direction[0] * st.step_length, st.direction[1] * st.step_length];
        var yTs = dot(y, s);
        if (yTs > CURVATURE_THRESHOLD) { // store the pair, the oldest dropped when full
          var from = ys.length === h.history_size ? 1 : 0;
          ys = ys.slice(from).concat([y]);
          ss = ss.slice(from).concat([s]);
          rho = rho.slice(from).concat([1.0 / yTs]);
          hDiag = yTs / dot(y, y);
        }
        var q0 = -g[0], q1 = -g[1], al = new Array(ys.length); // the two-loop recursion
        for (var i = ys.length - 1; i >= 0; i--) {
          al[i] = (ss[i][0] * q0 + ss[i][1] * q1) * rho[i];
          q0 = q0 - al[i] * ys[i][0];
          q1 = q1 - al[i] * ys[i][1];
        }
        var r0 = q0 * hDiag, r1 = q1 * hDiag;
        for (var j = 0; j < ys.length; j++) {
          var c = al[j] - (ys[j][0] * r0 + ys[j][1] * r1) * rho[j];
          r0 = r0 + c * ss[j][0];
          r1 = r1 + c * ss[j][1];
        }
        direction = [r0, r1];
        stepLength = h.lr;
      }
      var move = !(dot(g, direction) > -h.tolerance_change); // torch's test: a descent direction
      var theta = move ? [p[0] + stepLength * direction[0], p[1] + stepLength * direction[1]] : p;
      return [theta, {t: st.t + 1, direction: direction, step_length: stepLength, g_prev: g.slice(),
                      ys: ys, ss: ss, rho: rho, h_diag: hDiag, n_iter: nIter}];
    },
  };

  // name -> entry, in atlas's registry order (simple to complex).
  var optimizers = {
    sgd: sgdEntry(0.0, false),
    momentum: sgdEntry(0.9, false),
    nesterov: sgdEntry(0.9, true),
    asgd: asgd,
    schedule_free_sgd: scheduleFreeSgd,
    adagrad: adagrad,
    rmsprop: rmsprop,
    adadelta: adadelta,
    adam: adamEntry(false, 0.0, false),
    amsgrad: adamEntry(true, 0.0, false),
    adamw: adamEntry(false, 1e-2, true),
    adamax: adamax,
    nadam: nadam,
    radam: radam,
    adabelief: adabelief,
    yogi: yogi,
    adan: adan,
    ademamix: ademamix,
    schedule_free_adamw: scheduleFreeAdamw,
    rprop: rprop,
    lion: lion,
    lamb: lamb,
    adafactor: adafactor,
    prodigy: prodigy,
    muon: muon,
    lbfgs: lbfgs,
  };

  // A value as an error message shows it (Infinity and NaN included, which JSON cannot say).
  function show(v) {
    if (Array.isArray(v)) return "[" + v.map(show).join(", ") + "]";
    return typeof v === "number" ? String(v) : JSON.stringify(v);
  }
  function clone(v) { return Array.isArray(v) ? v.map(clone) : v; } // a value (JSON would lose Infinity)

  // atlas's coercion (optimizers/base.py): each value of the kind its default has.
  function checkKind(name, key, kind, fallback, value) {
    var where = name + ": " + key;
    if (typeof fallback === "boolean") {
      if (typeof value !== "boolean") throw new Error(where + " must be true or false, got " + show(value));
    } else if (kind === "name") {
      if (value !== null && typeof value !== "string") throw new Error(where + " must be a name or null, got " + show(value));
    } else if (Array.isArray(fallback)) {
      if (!Array.isArray(value) || value.length !== fallback.length) {
        throw new Error(where + " must be " + fallback.length + " numbers, got " + show(value));
      }
      value.forEach(function (v, i) { checkKind(name, key + "[" + i + "]", kind, fallback[i], v); });
    } else if (!(value === null && kind === "nullable")) {
      if (typeof value !== "number" || Number.isNaN(value) ||
          (!Number.isFinite(value) && kind !== "infinite") || (kind === "int" && !Number.isInteger(value))) {
        throw new Error(where + " must be " + (kind === "int" ? "an integer" : "a finite number") + ", got " + show(value));
      }
    }
  }

  // The hyperparameters of a run: the defaults, overridden by `given` (unknown names refused),
  // each of its kind and in its range.
  function hyperparameters(name, given) {
    var entry = optimizers[name];
    if (!entry) throw new Error("unknown optimizer " + JSON.stringify(name) + "; valid: " + Object.keys(optimizers).join(", "));
    var h = {}, kinds = entry.kinds || {};
    Object.keys(entry.defaults).forEach(function (key) { h[key] = clone(entry.defaults[key]); });
    Object.keys(given || {}).forEach(function (key) {
      if (!(key in h)) throw new Error(name + " has no hyperparameter " + JSON.stringify(key) + "; valid: " + Object.keys(h).join(", "));
      checkKind(name, key, kinds[key], entry.defaults[key], given[key]);
      h[key] = clone(given[key]);
    });
    entry.check(h);
    return h;
  }

  var api = root.atlasExplorer = root.atlasExplorer || {};
  api.optimizerRules = optimizers;
  api.optimizers = Object.keys(optimizers);
  api.hyperparameters = hyperparameters;
})(typeof window !== "undefined" ? window : globalThis);
