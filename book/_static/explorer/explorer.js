// The explorer page: pick a surface and up to six optimizers, set their hyperparameters,
// click a start, and watch the races run, computed here by atlasExplorer.trajectory.
//
// Everything that is data comes from the page's embedded data.json (written by
// atlas/explorer.py): surfaces' titles, boxes, starts, minima and images, optimizers'
// titles, defaults and book colours, and the learning rate the protocol chose for each
// pair. The state of the page is one object, `config`, mirrored in the URL hash (the
// permalink): #s=<surface>&x=<x>&y=<y>&k=<step>&o=<name>:<key>=<value>:…,<name>:…
(function () {
  "use strict";
  var api = window.atlasExplorer;
  var root = document.getElementById("atlas-explorer");
  var dataNode = document.getElementById("atlas-explorer-data");
  if (!api || !root || !dataNode) return;
  var DATA = JSON.parse(dataNode.textContent);
  var BASE = root.getAttribute("data-base") || "";
  var MAX_OPTIMIZERS = 6;
  var DEFAULT_OPTIMIZERS = ["sgd", "momentum", "rmsprop", "adam"];
  var MARGIN = {left: 40, right: 8, top: 8, bottom: 26}; // room for the tick labels, CSS px
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  var surfaceByName = {}, optimizerByName = {};
  DATA.surfaces.forEach(function (s) { surfaceByName[s.name] = s; });
  DATA.optimizers.forEach(function (o) {
    if (api.optimizers.indexOf(o.name) < 0) return; // rules we have
    Object.keys(o.defaults).forEach(function (key) { o.defaults[key] = fromJson(o.defaults[key]); });
    optimizerByName[o.name] = o;
  });

  // data.json writes an infinite hyperparameter as "Infinity" (JSON has none): back to a number.
  function fromJson(v) {
    if (Array.isArray(v)) return v.map(fromJson);
    return v === "Infinity" || v === "-Infinity" ? Number(v) : v;
  }
  // A copy of hyperparameters (JSON would turn Infinity into null).
  function copy(h) {
    var out = {};
    Object.keys(h).forEach(function (key) { out[key] = Array.isArray(h[key]) ? h[key].slice() : h[key]; });
    return out;
  }
  // A permalink's value: a number, or null, true, false.
  function parseValue(text) {
    return {"null": null, "true": true, "false": false}.hasOwnProperty(text) ? {"null": null, "true": true, "false": false}[text]
      : Number(text);
  }

  // --- sliders: which hyperparameters get one, and on what scale ----------------------
  // Each maps a hyperparameter value to the slider's position and back.
  var LOG = {to: Math.log10, from: function (s) { return Math.pow(10, s); }};
  var ONE_MINUS_LOG = { // β₂, α, ρ near 1: the slider moves 1 − β on a log scale
    to: function (b) { return Math.log10(1 - b); },
    from: function (s) { return 1 - Math.pow(10, s); },
  };
  var LINEAR = {to: function (v) { return v; }, from: function (s) { return s; }};
  var SLIDERS = [ // [key, index in a tuple or null, label, scale, min, max, step]
    ["lr", null, "learning rate γ", LOG, -5, 1.5, 0.05],
    ["betas", 0, "β₁", LINEAR, 0, 0.99, 0.01],
    ["betas", 1, "β₂", ONE_MINUS_LOG, -4, -0.3, 0.05],
    ["betas", 2, "β₃", ONE_MINUS_LOG, -5, -0.3, 0.05],
    ["momentum", null, "momentum μ", LINEAR, 0, 0.99, 0.01],
    ["alpha", null, "α (decay)", ONE_MINUS_LOG, -4, -0.3, 0.05],
    ["rho", null, "ρ (decay)", ONE_MINUS_LOG, -4, -0.3, 0.05],
    ["eps", null, "ε", LOG, -18, 0, 0.5],
  ];
  // An optimizer's own sliders: where its hyperparameter of a shared name means something
  // else (ASGD's α is a power, AdEMAMix's a weight), or has no shared name. Each takes the
  // place of the shared slider of its key and index; the others come after the shared ones.
  var OWN_SLIDERS = {
    asgd: [["lambd", null, "decay λ", LOG, -6, 0, 0.1], ["alpha", null, "power α", LINEAR, 0, 1.5, 0.05]],
    schedule_free_sgd: [["momentum", null, "interpolation β", LINEAR, 0.01, 0.99, 0.01]],
    schedule_free_adamw: [["betas", 0, "interpolation β₁", LINEAR, 0.01, 0.99, 0.01]],
    yogi: [["initial_accumulator", null, "v₀", LOG, -10, 0, 0.5]],
    ademamix: [["alpha", null, "slow weight α", LINEAR, 0, 10, 0.1]],
    adafactor: [["beta2_decay", null, "decay exponent", LINEAR, -1, 0, 0.05], ["eps", 1, "ε₂", LOG, -8, 0, 0.5],
                ["d", null, "clip d", LINEAR, 1, 10, 0.1]],
    prodigy: [["d0", null, "d₀", LOG, -10, 0, 0.5], ["d_coef", null, "d coefficient", LOG, -2, 1, 0.05]],
    muon: [["ns_steps", null, "Newton–Schulz steps", LINEAR, 0, 10, 1]],
    lbfgs: [["history_size", null, "history m", LINEAR, 1, 100, 1]],
  };
  function sliders(o) { // the sliders of an optimizer with hyperparameters o.h
    var own = (OWN_SLIDERS[o.name] || []).filter(function (d) { return d[0] in o.h; });
    var same = function (a, b) { return a[0] === b[0] && a[1] === b[1]; };
    var shared = [];
    SLIDERS.forEach(function (d) {
      var key = d[0], index = d[1];
      var mine = own.filter(function (e) { return same(e, d); })[0];
      if (mine) { shared.push(mine); return; }
      if (!(key in o.h) || Array.isArray(o.h[key]) !== (index !== null)) return;
      if (index === null || index < o.h[key].length) shared.push(d);
    });
    return shared.concat(own.filter(function (e) { return shared.indexOf(e) < 0; }));
  }

  // --- the configuration and its permalink ---------------------------------------------
  var config = null; // {surface, start: [x, y], k, optimizers: [{name, h: {...}}]}

  function protocolChoice(surface, name) { // the races' choice (atlas.protocol), or null
    return (DATA.rates[surface] || {})[name] || null;
  }
  function chosenRate(surface, name) {
    var pair = protocolChoice(surface, name);
    return pair ? pair.lr : optimizerByName[name].defaults.lr;
  }
  function rateNote(surface, name) { // what the protocol's run at that rate does, in words
    var pair = protocolChoice(surface, name);
    if (!pair) return null;
    var lr = "The protocol's rate, " + format(pair.lr) + ", ";
    if (pair.fallback) {
      return {fails: true, text: "Fallback: every rate of the protocol's grid leaves the plot here. " +
              lr + "stays in longest" + (pair.left_at === null ? "." : " (it leaves at step " + pair.left_at + ").")};
    }
    if (pair.steps_to_target !== null) {
      return {fails: false, text: lr + "reaches the races' target in " + pair.steps_to_target +
              (pair.steps_to_target === 1 ? " step." : " steps.")};
    }
    return {fails: false, text: lr + "misses the races' target within the budget" +
            (pair.final_gap === null ? "." : " (final gap " + format(pair.final_gap) + ").")};
  }
  function freshOptimizer(surface, name) {
    var h = copy(optimizerByName[name].defaults);
    h.lr = chosenRate(surface, name);
    return {name: name, h: h};
  }
  function defaultConfig(surface) {
    var s = surfaceByName[surface] || DATA.surfaces[0];
    return {surface: s.name, start: s.start.slice(), k: 0,
            optimizers: DEFAULT_OPTIMIZERS.filter(function (n) { return optimizerByName[n]; })
                                          .map(function (n) { return freshOptimizer(s.name, n); })};
  }

  function encode(c) {
    var opts = c.optimizers.map(function (o) {
      var keys = ["lr"].concat(sliders(o).map(function (d) { return d[0]; })
                               .filter(function (key, i, all) { return all.indexOf(key) === i && key !== "lr"; }));
      return [o.name].concat(keys.map(function (key) {
        var v = o.h[key];
        return key + "=" + (Array.isArray(v) ? v.map(String).join("/") : String(v));
      })).join(":");
    });
    return "#s=" + c.surface + "&x=" + String(c.start[0]) + "&y=" + String(c.start[1]) +
           "&k=" + c.k + "&o=" + opts.join(",");
  }

  function decode(hash) { // null when the hash is not a valid configuration
    var fields = {};
    hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) fields[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1));
    });
    var s = surfaceByName[fields.s];
    if (!s) return null;
    var x = Number(fields.x), y = Number(fields.y), k = Number(fields.k || 0);
    var c = {surface: s.name, start: Number.isFinite(x) && Number.isFinite(y) ? [x, y] : s.start.slice(),
             k: Number.isInteger(k) && k >= 0 ? k : 0, optimizers: []};
    (fields.o || "").split(",").forEach(function (item) {
      var parts = item.split(":"), name = parts[0];
      if (!optimizerByName[name] || c.optimizers.length >= MAX_OPTIMIZERS ||
          c.optimizers.some(function (o) { return o.name === name; })) return;
      var o = freshOptimizer(s.name, name);
      parts.slice(1).forEach(function (kv) {
        var at = kv.indexOf("="), key = kv.slice(0, at), text = kv.slice(at + 1);
        if (!(key in o.h)) return;
        var value = text.indexOf("/") >= 0 ? text.split("/").map(parseValue) : parseValue(text);
        var candidate = copy(o.h);
        candidate[key] = value;
        try { api.hyperparameters(name, candidate); o.h = candidate; } catch (e) { /* keep */ }
      });
      c.optimizers.push(o);
    });
    return c;
  }

  // --- the runs --------------------------------------------------------------------------
  var runs = []; // per optimizer: {xy, z, diverged_at, parts, left, error}

  function steps() { return surfaceByName[config.surface].steps; }

  function inBox(s, p) {
    return p[0] >= s.box[0][0] && p[0] <= s.box[0][1] && p[1] >= s.box[1][0] && p[1] <= s.box[1][1];
  }

  function compute() {
    var s = surfaceByName[config.surface];
    runs = config.optimizers.map(function (o) {
      try {
        var run = api.trajectory({surface: s.name, optimizer: o.name, hyperparameters: o.h,
                                  start: config.start, steps: steps(), parts: true});
        run.left = null; // the first step outside the plot's box
        for (var i = 0; i < run.xy.length; i++) {
          if (!inBox(s, run.xy[i])) { run.left = i; break; }
        }
        return run;
      } catch (error) {
        return {xy: [config.start], z: [NaN], diverged_at: null, parts: [null], left: null,
                error: error.message};
      }
    });
  }

  // --- elements ----------------------------------------------------------------------------
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      if (key === "text") node.textContent = attributes[key];
      else if (key in node && typeof attributes[key] !== "string") node[key] = attributes[key];
      else node.setAttribute(key, attributes[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  var ui = {};
  function build() {
    ui.surface = el("select", {id: "ax-surface"});
    DATA.surfaces.forEach(function (s) { ui.surface.appendChild(el("option", {value: s.name, text: s.title})); });
    // MathJax typesets only these; a long formula scrolls in its box, which the keyboard
    // must then reach (a tab stop named as what it holds).
    ui.formula = el("span", {"class": "ax-formula mathjax_process", tabindex: "0",
                             role: "region", "aria-label": "formula of the surface"});
    ui.description = el("p", {"class": "ax-description"});
    ui.canvas = el("canvas", {"class": "ax-plot", tabindex: "0", role: "img"});
    ui.play = el("button", {type: "button", "class": "ax-play", text: "Play"});
    ui.step = el("button", {type: "button", text: "Step"});
    ui.reset = el("button", {type: "button", text: "Reset"});
    ui.counter = el("span", {"class": "ax-counter", "aria-live": "polite"});
    ui.internals = el("input", {type: "checkbox", id: "ax-internals"});
    ui.permalink = el("a", {"class": "ax-permalink", text: "Permalink"});
    ui.readout = el("table", {"class": "ax-readout"});
    ui.picker = el("fieldset", {"class": "ax-picker"}, [el("legend", {text: "Optimizers (up to " + MAX_OPTIMIZERS + ")"})]);
    ui.panels = el("div", {"class": "ax-panels"});
    ui.checks = {};
    Object.keys(optimizerByName).forEach(function (name) {
      var o = optimizerByName[name];
      var box = el("input", {type: "checkbox", value: name, id: "ax-pick-" + name});
      ui.checks[name] = box;
      ui.picker.appendChild(el("label", {"for": "ax-pick-" + name, title: o.description}, [
        box, el("span", {"class": "ax-swatch", style: "background:" + o.color}), document.createTextNode(o.title)]));
      box.addEventListener("change", function () { toggleOptimizer(name, box.checked); });
    });

    var top = el("div", {"class": "ax-top"}, [
      el("label", {"for": "ax-surface", text: "Surface "}), ui.surface, ui.formula]);
    var controls = el("div", {"class": "ax-controls"}, [
      ui.play, ui.step, ui.reset, ui.counter,
      el("label", {"class": "ax-toggle", "for": "ax-internals"}, [ui.internals, document.createTextNode(" Show internals")]),
      ui.permalink]);
    var hint = el("p", {"class": "ax-hint", text: "Click the plot (or focus it and use the arrow keys) to set the start; " +
                        "space plays or pauses, Home restores the surface's start. A schedule-free optimizer's " +
                        "path is where it takes gradients; its average, where it is evaluated, is dashed."});
    root.textContent = "";
    root.appendChild(top);
    root.appendChild(ui.description);
    root.appendChild(el("div", {"class": "ax-main"}, [
      el("div", {"class": "ax-plot-wrap"}, [ui.canvas]),
      el("div", {"class": "ax-side"}, [controls, hint])]));
    root.appendChild(el("div", {"class": "ax-readout-wrap"}, [ui.readout]));
    root.appendChild(ui.picker);
    root.appendChild(ui.panels);

    ui.surface.addEventListener("change", function () { setSurface(ui.surface.value); });
    ui.play.addEventListener("click", togglePlay);
    ui.step.addEventListener("click", function () { pause(); advance(1); });
    ui.reset.addEventListener("click", function () { pause(); config.k = 0; changed(false); });
    ui.internals.addEventListener("change", draw);
    ui.canvas.addEventListener("click", function (event) {
      var rect = ui.canvas.getBoundingClientRect();
      var point = toData(event.clientX - rect.left, event.clientY - rect.top);
      if (point) setStart(point);
    });
    ui.canvas.addEventListener("keydown", onPlotKey);
    if (window.ResizeObserver) { // the plot follows its column's width
      var lastWidth = 0;
      new ResizeObserver(function (entries) {
        var width = Math.round(entries[0].contentRect.width);
        if (width !== lastWidth) { lastWidth = width; draw(); }
      }).observe(ui.canvas.parentNode);
    } else {
      window.addEventListener("resize", draw);
    }
    window.addEventListener("hashchange", function () {
      var c = decode(location.hash);
      if (c && location.hash !== encode(config)) { config = c; pause(); changed(true); }
    });
  }

  // --- the hyperparameter panels -------------------------------------------------------------
  function format(v) {
    if (v === 0) return "0";
    var a = Math.abs(v);
    return a < 1e-3 || a >= 1e4 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
  }

  function buildPanels() {
    ui.panels.textContent = "";
    config.optimizers.forEach(function (o) {
      var meta = optimizerByName[o.name];
      var panel = el("fieldset", {"class": "ax-panel", style: "border-left-color:" + meta.color}, [
        el("legend", {}, [el("span", {"class": "ax-swatch", style: "background:" + meta.color}),
                          document.createTextNode(meta.title)])]);
      sliders(o).forEach(function (d) {
        var key = d[0], index = d[1];
        var id = "ax-" + o.name + "-" + key + (index === null ? "" : index);
        var get = function () { return index === null ? o.h[key] : o.h[key][index]; };
        var scale = d[3], step = d[6], low = d[4], high = d[5], at = scale.to(get());
        if (Number.isFinite(at)) { // the slider reaches the value it starts at, in whole steps
          if (at < low) low -= Math.ceil((low - at) / step) * step;
          if (at > high) high += Math.ceil((at - high) / step) * step;
        }
        var input = el("input", {type: "range", id: id, min: String(Number(low.toPrecision(12))),
                                 max: String(Number(high.toPrecision(12))), step: String(step)});
        var shown = el("output", {"for": id});
        var sync = function () {
          var position = scale.to(get());
          input.value = String(Number.isFinite(position) ? position : low);
          shown.textContent = format(get());
          input.setAttribute("aria-valuetext", shown.textContent);
        };
        sync();
        input.addEventListener("input", function () {
          var value = scale.from(Number(input.value));
          var h = copy(o.h);
          if (index === null) h[key] = value; else h[key][index] = value;
          try { api.hyperparameters(o.name, h); } catch (e) { sync(); return; } // out of range: keep
          o.h = h;
          sync();
          changed(false);
        });
        panel.appendChild(el("div", {"class": "ax-slider"}, [el("label", {"for": id, text: d[2]}), input, shown]));
      });
      var note = rateNote(config.surface, o.name);
      if (note) {
        panel.appendChild(el("p", {"class": "ax-rate-note" + (note.fails ? " ax-rate-fails" : ""),
                                   id: "ax-" + o.name + "-rate-note", text: note.text}));
      }
      var reset = el("button", {type: "button", "class": "ax-small", text: "protocol's rate & defaults"});
      reset.addEventListener("click", function () {
        o.h = freshOptimizer(config.surface, o.name).h;
        buildPanels();
        changed(false);
      });
      panel.appendChild(reset);
      ui.panels.appendChild(panel);
    });
    Object.keys(ui.checks).forEach(function (name) {
      var on = config.optimizers.some(function (o) { return o.name === name; });
      ui.checks[name].checked = on;
      ui.checks[name].disabled = !on && config.optimizers.length >= MAX_OPTIMIZERS;
    });
  }

  // --- actions ------------------------------------------------------------------------------
  function changed(rebuild) { // the configuration changed: recompute, redraw, update the permalink
    if (rebuild) {
      ui.surface.value = config.surface;
      buildPanels();
      describeSurface();
    }
    compute();
    config.k = Math.min(config.k, steps());
    var hash = encode(config);
    if (location.hash !== hash) history.replaceState(null, "", hash);
    ui.permalink.href = hash;
    draw();
  }

  function setSurface(name) {
    pause();
    var keep = config.optimizers.map(function (o) { return o.name; });
    config = defaultConfig(name);
    config.optimizers = keep.map(function (n) { return freshOptimizer(name, n); });
    changed(true);
  }

  function setStart(point) {
    pause();
    config.start = point;
    config.k = 0;
    changed(false);
  }

  function toggleOptimizer(name, on) {
    pause();
    if (on && config.optimizers.length < MAX_OPTIMIZERS) {
      config.optimizers.push(freshOptimizer(config.surface, name));
    } else if (!on) {
      config.optimizers = config.optimizers.filter(function (o) { return o.name !== name; });
    }
    buildPanels();
    changed(false);
  }

  var playing = false, frame = null;
  function togglePlay() { if (playing) pause(); else play(); }
  function play() {
    if (config.k >= steps()) config.k = 0;
    if (reducedMotion && reducedMotion.matches) { advance(steps() - config.k); return; } // no animation
    playing = true;
    ui.play.textContent = "Pause";
    var perFrame = Math.max(1, Math.round(steps() / 300)); // a whole run in about 5 s at 60 Hz
    var tick = function () {
      if (!playing) return;
      advance(perFrame);
      if (config.k >= steps()) { pause(); return; }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
  }
  function pause() {
    playing = false;
    if (frame !== null) cancelAnimationFrame(frame);
    frame = null;
    if (ui.play) ui.play.textContent = "Play";
  }
  function advance(n) {
    config.k = Math.min(steps(), config.k + n);
    var hash = encode(config);
    if (!playing && location.hash !== hash) history.replaceState(null, "", hash);
    ui.permalink.href = hash;
    draw();
  }

  function onPlotKey(event) {
    var s = surfaceByName[config.surface];
    var dx = (s.box[0][1] - s.box[0][0]) * (event.shiftKey ? 0.1 : 0.02);
    var dy = (s.box[1][1] - s.box[1][0]) * (event.shiftKey ? 0.1 : 0.02);
    var moves = {ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, dy], ArrowDown: [0, -dy]};
    if (moves[event.key]) {
      var x = Math.min(s.box[0][1], Math.max(s.box[0][0], config.start[0] + moves[event.key][0]));
      var y = Math.min(s.box[1][1], Math.max(s.box[1][0], config.start[1] + moves[event.key][1]));
      setStart([Number(x.toPrecision(6)), Number(y.toPrecision(6))]);
    } else if (event.key === " ") {
      togglePlay();
    } else if (event.key === "Home") {
      setStart(s.start.slice());
    } else {
      return;
    }
    event.preventDefault();
  }

  function describeSurface() {
    var s = surfaceByName[config.surface];
    ui.description.textContent = s.description + ". Box [" + s.box[0].join(", ") + "] × [" +
      s.box[1].join(", ") + "], " + s.steps + " steps (the protocol's budget).";
    ui.formula.textContent = "\\(" + s.latex + "\\)";
    var mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) {
      mj.startup.promise.then(function () {
        if (mj.typesetClear) mj.typesetClear([ui.formula]);
        return mj.typesetPromise ? mj.typesetPromise([ui.formula]) : null;
      }).catch(function () { /* the formula stays as TeX */ });
    }
    ui.canvas.setAttribute("aria-label", "Contours of " + s.title + " with the optimizers' paths; " +
                           "arrow keys move the start point.");
  }

  // --- drawing --------------------------------------------------------------------------------
  var images = {}; // surface name -> Image, loaded when first shown (lazy)
  function image(s) {
    if (!images[s.name]) {
      var img = new Image();
      img.decoding = "async";
      img.onload = draw;
      img.src = BASE + s.image.file;
      images[s.name] = img;
    }
    return images[s.name];
  }

  var view = null; // the plot's geometry in CSS px
  function toData(px, py) {
    if (!view) return null;
    var e = view.extent;
    var x = e[0] + (px - view.left) / view.width * (e[1] - e[0]);
    var y = e[3] - (py - view.top) / view.height * (e[3] - e[2]);
    if (x < e[0] || x > e[1] || y < e[2] || y > e[3]) return null;
    return [Number(x.toPrecision(6)), Number(y.toPrecision(6))];
  }

  function ticks(low, high) { // about five round numbers in [low, high]
    var raw = (high - low) / 4, power = Math.pow(10, Math.floor(Math.log10(raw)));
    var unit = [1, 2, 2.5, 5, 10].map(function (m) { return m * power; }).find(function (u) { return u >= raw; });
    var out = [];
    for (var v = Math.ceil(low / unit) * unit; v <= high + 1e-9 * unit; v += unit) out.push(Number(v.toPrecision(12)));
    return out;
  }

  function draw() {
    if (!config) return;
    var s = surfaceByName[config.surface];
    var wrap = ui.canvas.parentNode;
    var cssWidth = Math.max(200, Math.min(wrap.clientWidth || 480, 560)); // the canvas is 100 % wide
    var plotWidth = cssWidth - MARGIN.left - MARGIN.right;
    var plotHeight = Math.round(plotWidth * s.image.height / s.image.width);
    var cssHeight = plotHeight + MARGIN.top + MARGIN.bottom;
    var ratio = window.devicePixelRatio || 1;
    ui.canvas.style.height = cssHeight + "px";
    if (ui.canvas.width !== Math.round(cssWidth * ratio)) ui.canvas.width = Math.round(cssWidth * ratio);
    if (ui.canvas.height !== Math.round(cssHeight * ratio)) ui.canvas.height = Math.round(cssHeight * ratio);
    var ctx = ui.canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, cssWidth, cssHeight);
    view = {left: MARGIN.left, top: MARGIN.top, width: plotWidth, height: plotHeight, extent: s.image.extent};
    var e = s.image.extent;
    var X = function (x) { return view.left + (x - e[0]) / (e[1] - e[0]) * view.width; };
    var Y = function (y) { return view.top + (e[3] - y) / (e[3] - e[2]) * view.height; };

    var img = image(s);
    if (img.complete && img.naturalWidth > 0) {
      ctx.drawImage(img, view.left, view.top, view.width, view.height);
      root.setAttribute("data-background", s.name); // which background is shown (for tests)
    } else {
      ctx.fillStyle = "#eef2f6"; // until the image arrives
      ctx.fillRect(view.left, view.top, view.width, view.height);
    }
    ctx.strokeStyle = "#666666";
    ctx.lineWidth = 1;
    ctx.strokeRect(view.left + 0.5, view.top + 0.5, view.width - 1, view.height - 1);

    // ticks and their labels
    ctx.fillStyle = "#222222";
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ticks(e[0], e[1]).forEach(function (v) {
      ctx.fillRect(X(v) - 0.5, view.top + view.height, 1, 4);
      ctx.fillText(String(v), X(v), view.top + view.height + 6);
    });
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    ticks(e[2], e[3]).forEach(function (v) {
      ctx.fillRect(view.left - 4, Y(v) - 0.5, 4, 1);
      ctx.fillText(String(v), view.left - 6, Y(v));
    });

    ctx.save();
    ctx.beginPath();
    ctx.rect(view.left, view.top, view.width, view.height);
    ctx.clip();
    drawPoints(ctx, s, X, Y);
    runs.forEach(function (run, i) { drawRun(ctx, run, optimizerByName[config.optimizers[i].name].color, X, Y); });
    marker(ctx, "start", X(config.start[0]), Y(config.start[1]));
    ctx.restore();
    readout();
  }

  function marker(ctx, kind, x, y) { // the book's markers: ★ global minimum, ○ ▵ × others, ◎ start
    ctx.lineWidth = 1.2;
    ctx.strokeStyle = "#111111";
    ctx.fillStyle = "#111111";
    ctx.beginPath();
    if (kind === "global minimum") {
      for (var i = 0; i < 10; i++) {
        var r = i % 2 ? 3 : 7.5, a = -Math.PI / 2 + i * Math.PI / 5;
        ctx.lineTo(x + r * Math.cos(a), y + r * Math.sin(a));
      }
      ctx.closePath();
      ctx.fill();
    } else if (kind === "local minimum") {
      ctx.arc(x, y, 3.5, 0, 2 * Math.PI);
      ctx.stroke();
    } else if (kind === "local maximum") {
      ctx.moveTo(x, y - 4.5); ctx.lineTo(x + 4, y + 3); ctx.lineTo(x - 4, y + 3); ctx.closePath();
      ctx.stroke();
    } else if (kind === "saddle point") {
      ctx.lineWidth = 2.2;
      ctx.moveTo(x - 4, y - 4); ctx.lineTo(x + 4, y + 4); ctx.moveTo(x + 4, y - 4); ctx.lineTo(x - 4, y + 4);
      ctx.stroke();
    } else { // the start
      ctx.fillStyle = "#ffffff";
      ctx.arc(x, y, 6, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
      ctx.beginPath();
      ctx.fillStyle = "#111111";
      ctx.arc(x, y, 2, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  function drawPoints(ctx, s, X, Y) {
    s.minima.concat(s.critical).forEach(function (p) { marker(ctx, p.kind, X(p.x), Y(p.y)); });
  }

  function drawRun(ctx, run, color, X, Y) {
    var last = Math.min(config.k, run.xy.length - 1);
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    if (run.averaged) { // the average x of a schedule-free run: thin and dashed, under its path
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.2;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      for (var j = 0; j <= last; j++) ctx.lineTo(X(run.averaged[j][0]), Y(run.averaged[j][1]));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    [["#ffffff", 4], [color, 2]].forEach(function (pen) { // a white halo under each path
      ctx.strokeStyle = pen[0];
      ctx.lineWidth = pen[1];
      ctx.beginPath();
      for (var i = 0; i <= last; i++) ctx.lineTo(X(run.xy[i][0]), Y(run.xy[i][1]));
      ctx.stroke();
    });
    var p = run.xy[last];
    ctx.beginPath();
    ctx.arc(X(p[0]), Y(p[1]), 5, 0, 2 * Math.PI);
    ctx.fillStyle = color;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
    var next = ui.internals.checked && run.parts[last + 1];
    if (next) {
      if (next.momentum) arrow(ctx, X, Y, p, next.momentum, color, true);
      arrow(ctx, X, Y, p, next.step, color, false);
    }
  }

  function arrow(ctx, X, Y, p, d, color, dashed) {
    var x0 = X(p[0]), y0 = Y(p[1]), x1 = X(p[0] + d[0]), y1 = Y(p[1] + d[1]);
    var angle = Math.atan2(y1 - y0, x1 - x0);
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dashed ? [5, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - 9 * Math.cos(angle - 0.4), y1 - 9 * Math.sin(angle - 0.4));
    ctx.lineTo(x1 - 9 * Math.cos(angle + 0.4), y1 - 9 * Math.sin(angle + 0.4));
    ctx.closePath();
    ctx.fill();
  }

  // --- the readout ------------------------------------------------------------------------------
  function readout() {
    var s = surfaceByName[config.surface];
    var internals = ui.internals.checked;
    ui.counter.textContent = "step " + config.k + " / " + steps();
    var gapName = s.f_min === null ? "f" : "f − f*";
    var head = ["optimizer", gapName, "status"];
    if (internals) head = head.concat(["next step Δx, Δy", "effective lr x, y"]);
    ui.readout.textContent = "";
    ui.readout.appendChild(el("thead", {}, [el("tr", {}, head.map(function (h) { return el("th", {scope: "col", text: h}); }))]));
    var body = el("tbody");
    runs.forEach(function (run, i) {
      var o = config.optimizers[i], meta = optimizerByName[o.name];
      var last = Math.min(config.k, run.xy.length - 1);
      var gap = run.z[last] - (s.f_min === null ? 0 : s.f_min);
      var status;
      if (run.error) status = run.error;
      else if (run.diverged_at !== null && config.k >= run.diverged_at) status = "diverged at step " + run.diverged_at;
      else if (run.left !== null && config.k >= run.left) {
        status = (inBox(s, run.xy[last]) ? "back in the plot, left at step " : "left the plot at step ") + run.left;
      } else status = "in the plot";
      var cells = [el("th", {scope: "row"}, [el("span", {"class": "ax-swatch", style: "background:" + meta.color}),
                                             document.createTextNode(meta.title)]),
                   el("td", {text: Number.isFinite(gap) ? format(gap) : "—"}),
                   el("td", {text: status})];
      if (internals) {
        var next = run.parts[last + 1];
        var pair = function (a) { return format(a[0]) + ", " + format(a[1]); };
        var effective = next && next.step.map(function (d, j) { return next.grad[j] !== 0 ? -d / next.grad[j] : NaN; });
        cells.push(el("td", {text: next ? pair(next.step) : "—"}));
        cells.push(el("td", {text: next ? effective.map(function (v) { return Number.isFinite(v) ? format(v) : "—"; }).join(", ") : "—"}));
      }
      body.appendChild(el("tr", {}, cells));
    });
    ui.readout.appendChild(body);
  }

  // --- start -------------------------------------------------------------------------------------
  build();
  config = decode(location.hash) || defaultConfig(surfaceByName.rosenbrock ? "rosenbrock" : DATA.surfaces[0].name);
  changed(true);
  root.classList.add("ax-ready");
})();
