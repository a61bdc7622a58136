// The book's animations (video.atlas-video, written by atlas.sphinxext).
//
// * A video plays only while at least a quarter of it is in view
//   (IntersectionObserver) and pauses when scrolled away: a page of eight races
//   does not decode eight videos at once.
// * Readers who prefer reduced motion see each animation paused on its poster,
//   the last frame; they can still play it.
// * The native controls would cover the plot's x-axis, so each video gets a
//   play/pause button below it instead: a real <button>, reachable with Tab,
//   named by its text ("Pause", "Play") and described by the video's label.
//   Without JavaScript the video keeps its native controls.
(function () {
  "use strict";
  var VISIBLE = 0.25; // the share of a video that must be on screen for it to play
  var motion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");

  function reducedMotion() {
    return Boolean(motion && motion.matches);
  }

  function setUp(video, index) {
    var state = { wanted: !reducedMotion(), inView: false };
    video.removeAttribute("controls");
    video.removeAttribute("autoplay");
    if (!video.id) video.id = "atlas-video-" + index;

    var button = document.createElement("button");
    button.type = "button";
    button.className = "atlas-play";
    button.setAttribute("aria-controls", video.id);
    button.setAttribute("aria-describedby", video.id);
    var icon = document.createElement("i");
    icon.setAttribute("aria-hidden", "true");
    var text = document.createElement("span");
    button.append(icon, text);
    video.insertAdjacentElement("afterend", button);

    function show() {
      text.textContent = state.wanted ? "Pause" : "Play";
      icon.className = "fa-solid " + (state.wanted ? "fa-pause" : "fa-play");
      button.dataset.state = state.wanted ? "playing" : "paused";
    }
    function sync() {
      if (state.wanted && state.inView) {
        var playing = video.play();
        if (playing && playing.catch) {
          playing.catch(function (error) {
            if (error && error.name === "NotAllowedError") { // the browser refuses autoplay
              state.wanted = false;
              show();
            }
          });
        }
      } else if (!video.paused) {
        video.pause();
      }
      show();
    }
    button.addEventListener("click", function () {
      state.wanted = !state.wanted;
      sync();
    });
    show();
    return { state: state, sync: sync };
  }

  function start() {
    var videos = Array.prototype.slice.call(document.querySelectorAll("video.atlas-video"));
    if (!videos.length) return;
    var players = new Map();
    videos.forEach(function (video, index) {
      players.set(video, setUp(video, index));
    });
    if ("IntersectionObserver" in window) {
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          var player = players.get(entry.target);
          player.state.inView = entry.isIntersecting && entry.intersectionRatio >= VISIBLE;
          player.sync();
        });
      }, { threshold: [0, VISIBLE] });
      videos.forEach(function (video) { observer.observe(video); });
    } else { // no way to know what is in view: nothing plays by itself, the buttons work
      players.forEach(function (player) {
        player.state.inView = true;
        player.state.wanted = false;
        player.sync();
      });
    }
    if (motion && motion.addEventListener) {
      motion.addEventListener("change", function () {
        if (!reducedMotion()) return;
        players.forEach(function (player) {
          player.state.wanted = false;
          player.sync();
        });
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

// Formulas wider than their column. MathJax cannot break a line, so a formula that
// does not fit is drawn smaller, down to MIN_SCALE of MathJax's size (MathJax draws
// formulas 27 % larger than the text, so that is still about the text's size); one
// that does not fit even then keeps its size and scrolls in its own box, which then
// takes keyboard focus so that it can be scrolled without a mouse. Done once MathJax
// has typeset the page, and again when the window changes size; window.atlasLayout
// resolves when the page has its final layout.
(function () {
  "use strict";
  var MIN_SCALE = 0.75;

  function fit(math) {
    if (math.dataset.atlasSize === undefined) math.dataset.atlasSize = math.style.fontSize;
    math.style.fontSize = math.dataset.atlasSize;
    math.removeAttribute("tabindex");
    var drawn = math.querySelector("mjx-math");
    var box = math.parentElement; // span.math or div.math: the room the formula has
    if (!drawn || !box) return;
    var display = Boolean(math.closest("div.math"));
    var room = display ? math.clientWidth : box.clientWidth;
    var needed = drawn.getBoundingClientRect().width;
    if (needed <= room - 1) return; // a pixel to spare: a fraction over would scroll
    var scale = (room - 2) / needed;
    if (scale >= MIN_SCALE) {
      var size = parseFloat(math.dataset.atlasSize) || 100;
      math.style.fontSize = (size * scale).toFixed(1) + "%";
    } else if (display) {
      math.setAttribute("tabindex", "0"); // it scrolls: the keyboard must reach it
    }
  }
  function fitAll() {
    document.querySelectorAll("div.math > mjx-container, span.math > mjx-container")
      .forEach(fit);
  }

  window.atlasLayout = new Promise(function (done) {
    var waited = 0;
    (function wait() {
      var mathjax = window.MathJax;
      if (mathjax && mathjax.startup && mathjax.startup.promise) {
        mathjax.startup.promise.then(fitAll).then(done, done);
      } else if (!document.querySelector(".math") || (waited += 50) > 30000) {
        done();
      } else {
        setTimeout(wait, 50);
      }
    })();
  });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(fitAll, 150);
  });
})();
