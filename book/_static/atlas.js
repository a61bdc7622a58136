// Readers who prefer reduced motion see each animation paused on its poster;
// the controls still let them play it.
(function () {
  "use strict";
  var query = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  function apply() {
    if (!query || !query.matches) return;
    document.querySelectorAll("video.atlas-video[autoplay]").forEach(function (video) {
      video.removeAttribute("autoplay");
      video.pause();
      video.load(); // back to the poster
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", apply);
  } else {
    apply();
  }
})();
