// The atlas optimizers in JavaScript: the same update rules, step for step, in float64.
//
// One entry per optimizer of atlas/optimizers, in registry order. Each has
//   defaults            its hyperparameters, named and valued as in atlas (= PyTorch),
//   check(h)            the range checks of atlas's check(): throws an Error showing the value,
//   init(p, h)          the state before the first step (t = 0),
//   update(g, s, p, h, parts) -> [p_new, s_new]   one step; inputs are never modified.
// Points, gradients and per-coordinate state are arrays [x, y]. Each formula is written
// in the order numpy evaluates the Python one, so both round the same way.
//
// `parts`, when given, is filled with the explorer's view of the step: `momentum`, the
// part of the step carried over from the momentum buffer of the previous steps (the
// arrow the page draws), or null for optimizers without momentum.
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
  var scale = function (k, a) { return [k * a[0], k * a[1]]; };

  function fail(title, name, requirement, value) {
    throw new Error(title + ": " + name + " must be " + requirement + ", got " + JSON.stringify(value));
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
        var stepSize = lr / (1 - Math.pow(beta1, t));
        var bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
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
      var clr = h.lr / (1 - Math.pow(beta1, t));
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
      var bc2 = 1 - Math.pow(beta2, t);
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
      var bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
      var mHat = map(function (mi) { return mi / bc1; }, m);
      var rhoInf = 2 / (1 - beta2) - 1;
      var rhoT = rhoInf - 2 * t * Math.pow(beta2, t) / bc2;
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

  // name -> entry, in atlas's registry order (simple to complex).
  var optimizers = {
    sgd: sgdEntry(0.0, false),
    momentum: sgdEntry(0.9, false),
    nesterov: sgdEntry(0.9, true),
    adagrad: adagrad,
    rmsprop: rmsprop,
    adadelta: adadelta,
    adam: adamEntry(false, 0.0, false),
    amsgrad: adamEntry(true, 0.0, false),
    adamw: adamEntry(false, 1e-2, true),
    adamax: adamax,
    nadam: nadam,
    radam: radam,
    rprop: rprop,
  };

  // The hyperparameters of a run: the defaults, overridden by `given` (unknown names refused).
  function hyperparameters(name, given) {
    var entry = optimizers[name];
    if (!entry) throw new Error("unknown optimizer " + JSON.stringify(name) + "; valid: " + Object.keys(optimizers).join(", "));
    var h = JSON.parse(JSON.stringify(entry.defaults));
    Object.keys(given || {}).forEach(function (key) {
      if (!(key in h)) throw new Error(name + " has no hyperparameter " + JSON.stringify(key) + "; valid: " + Object.keys(h).join(", "));
      h[key] = given[key];
    });
    entry.check(h);
    return h;
  }

  var api = root.atlasExplorer = root.atlasExplorer || {};
  api.optimizerRules = optimizers;
  api.optimizers = Object.keys(optimizers);
  api.hyperparameters = hyperparameters;
})(typeof window !== "undefined" ? window : globalThis);
