// atlasExplorer.trajectory: run one optimizer on one surface from one start, as atlas does.
//
//   atlasExplorer.trajectory({surface, optimizer, hyperparameters, start: [x, y], steps})
//     -> {xy: [[x, y], ...], z: [f, ...], diverged_at, parts?}
//
// The run is the fold θ_k = update(∇f(θ_{k−1}), s_{k−1}, θ_{k−1}), k = 1 … steps, with
// f(θ_k) recorded at each point: the same as atlas.trajectory (atlas/trajectory.py) for
// one start, including its divergence semantics:
//
// * a step whose position or value is not finite (NaN, or an overflow to ±Infinity)
//   ends the run; `xy` and `z` are truncated to the finite prefix, and `diverged_at` is
//   that first non-finite step, so xy.length === diverged_at;
// * a run that never diverges has steps + 1 points (row 0 is the start) and
//   `diverged_at` null (atlas's None);
// * a start whose value is not finite, or a bad `steps`, throws an Error (atlas raises
//   ValueError); so do an unknown name and a hyperparameter out of its range.
//
// `hyperparameters` may name only some of them: the others keep atlas's defaults. With
// `parts: true` the result also has parts[k] for each step k ≥ 1: the gradient g at
// θ_{k−1}, the step θ_k − θ_{k−1} and its momentum part (see optimizers.js).
//
// An optimizer evaluated at an average of its iterates (schedule-free: the path is y, where
// the gradient is taken, and the model is x) also gives `averaged`, the points x_k, as
// long as `xy` (x_0 is the start).
(function (root) {
  "use strict";
  var api = root.atlasExplorer = root.atlasExplorer || {};

  function trajectory(spec) {
    var surface = api.surfaceFunctions[spec.surface];
    if (!surface) {
      throw new Error("unknown surface " + JSON.stringify(spec.surface) + "; valid: " + api.surfaces.join(", "));
    }
    var rule = api.optimizerRules[spec.optimizer];
    var h = api.hyperparameters(spec.optimizer, spec.hyperparameters);
    var steps = spec.steps;
    if (!Number.isInteger(steps) || steps < 0) throw new Error("steps must be an integer >= 0, got " + steps);
    var start = spec.start;
    if (!Array.isArray(start) || start.length !== 2 || !start.every(Number.isFinite)) {
      throw new Error("start must be a finite point [x, y], got " + JSON.stringify(start));
    }
    var p = [+start[0], +start[1]];
    var z = surface.f(p[0], p[1]);
    if (!Number.isFinite(z)) throw new Error("the surface value at the start is not finite: " + z);

    var state = rule.init(p, h);
    var xy = [p], zs = [z], parts = spec.parts ? [null] : null, divergedAt = null;
    var averaged = rule.averaged ? [rule.averaged(state)] : null;
    for (var k = 1; k <= steps; k++) {
      var g = surface.grad(p[0], p[1]);
      var part = parts ? {} : null;
      var next = rule.update(g, state, p, h, part);
      var pNew = next[0], zNew = surface.f(pNew[0], pNew[1]);
      if (!(Number.isFinite(pNew[0]) && Number.isFinite(pNew[1]) && Number.isFinite(zNew))) {
        divergedAt = k; // truncated here: xy.length === k
        break;
      }
      if (parts) {
        part.grad = g;
        part.step = [pNew[0] - p[0], pNew[1] - p[1]];
        parts.push(part);
      }
      p = pNew;
      state = next[1];
      xy.push(p);
      zs.push(zNew);
      if (averaged) averaged.push(rule.averaged(state));
    }
    var result = {xy: xy, z: zs, diverged_at: divergedAt};
    if (parts) result.parts = parts;
    if (averaged) result.averaged = averaged;
    return result;
  }

  api.trajectory = trajectory;
})(typeof window !== "undefined" ? window : globalThis);
