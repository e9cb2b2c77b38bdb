// Videos from YouTube (templates/partials/video.html): until the citizen presses play the
// page shows a local poster and asks YouTube for nothing; on the press, the poster makes
// way for the player from youtube-nocookie.com, which the site's policy lets it frame.
// Without this script the poster is a plain link to the video on youtube.com.
(function () {
  "use strict";
  if (window.portalVideos) return;  // the script is on the page once per body with videos
  window.portalVideos = true;
  var ID = /^[A-Za-z0-9_-]{11}$/;

  function play(link) {
    var id = link.getAttribute("data-youtube") || "";
    if (!ID.test(id)) return false;  // a link it is, then
    var frame = document.createElement("iframe");
    frame.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1";
    frame.title = link.getAttribute("data-title") || link.textContent.trim();
    frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    frame.allowFullscreen = true;
    // YouTube's player needs to know which site it is embedded in.
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.className = "video-frame";
    link.parentNode.replaceChild(frame, link);
    frame.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.video-play[data-youtube]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (play(link)) event.preventDefault();
  });
})();
