// The live page: attaches hls.js to the stream while it is on air, follows
// the webinar's state, and sends chat messages without reloading the page
// (the form also works without this script).
(function () {
  "use strict";
  var video = document.getElementById("video");
  var offair = document.getElementById("offair");
  var state = document.getElementById("state");
  var playerError = document.getElementById("player-error");
  var chat = document.getElementById("chat");
  var chatOff = document.getElementById("chat-off");
  var form = document.getElementById("chat-form");
  var hls = null;

  function showError(msg) {
    playerError.textContent = msg;
    playerError.hidden = !msg;
  }

  function attach(src) {
    if (hls || !video) return;
    video.hidden = false;
    offair.hidden = true;
    if (window.Hls && window.Hls.isSupported()) {
      hls = new window.Hls({ liveSyncDurationCount: 2 });
      hls.on(window.Hls.Events.ERROR, function (_, data) {
        if (data.fatal) {
          showError("The stream could not be played (" + data.details + "); retrying.");
          detach();
        }
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, function () {
        showError("");
        video.play().catch(function () {});
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      video.dataset.attached = "hls.js";
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
      video.dataset.attached = "native";
    } else {
      showError("This browser cannot play HLS.");
    }
  }

  function detach() {
    if (hls) {
      hls.destroy();
      hls = null;
    }
    if (video) {
      video.removeAttribute("src");
      delete video.dataset.attached;
    }
  }

  function poll() {
    var over = false;
    fetch(video.dataset.status, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        state.textContent = s.label;
        state.classList.toggle("live", s.onAir);
        if (s.onAir) {
          attach(s.hls);
        } else {
          detach();
          video.hidden = true;
          offair.hidden = false;
        }
        if (s.offAir) offair.textContent = s.offAir;
        offair.classList.toggle("over", !!s.over);
        chat.hidden = !s.chat;
        chatOff.hidden = s.chat;
        var fields = document.getElementById("chat-fields");
        if (fields) {
          fields.disabled = !s.chatOpen;
          var wait = document.getElementById("chat-wait");
          wait.hidden = s.chatOpen;
          if (s.chatWait) wait.textContent = s.chatWait;
        }
        over = !!s.over; // an ended webinar changes no more
        if (over && form) form.hidden = true;
      })
      .catch(function () {})
      .finally(function () { if (!over) setTimeout(poll, 3000); });
  }

  if (video) {
    if (!video.hidden) attach(video.dataset.hls);
    poll();
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var status = document.getElementById("chat-status");
      var text = form.message.value;
      status.textContent = "Sending…";
      fetch(form.action, {
        method: "POST",
        headers: { Accept: "application/json" },
        body: new URLSearchParams(new FormData(form)),
      })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          if (!res.ok) {
            status.textContent = res.body.error || "The message was not sent.";
            return;
          }
          status.textContent = "Sent to the meeting's public chat.";
          var li = document.createElement("li");
          li.textContent = text;
          document.getElementById("sent").appendChild(li);
          form.message.value = "";
        })
        .catch(function () { status.textContent = "The message was not sent: the portal did not answer."; });
    });
  }
})();
