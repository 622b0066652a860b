// The canvas editor: drag and drop and keyboard moves, and live updates by cheap conditional polling.
// Edits themselves are htmx forms; this file only does what htmx cannot.
(function () {
  "use strict";

  var canvas = document.getElementById("canvas");
  if (!canvas) { return; }
  var editable = canvas.getAttribute("data-editable") === "1";
  var live = document.getElementById("canvas-live");
  var POLL_MS = 3000;
  // Bumped by every local change to the DOM; a poll answer that started before one is stale and dropped.
  var epoch = 0;

  function csrfToken() {
    var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
    return headers["X-CSRFToken"] || "";
  }

  function say(text) { if (live) { live.textContent = text; } }

  function blockKeys() {
    return Array.prototype.map.call(canvas.querySelectorAll(".block"), function (el) { return el.getAttribute("data-block"); });
  }

  // A block being edited (an open form, a note being typed) is never replaced under the user's hands.
  function busy(block) {
    if (block.querySelector(".editing, .comment-form textarea:focus")) { return true; }
    var add = block.querySelector(".add-item textarea");
    return !!(add && (add.value.trim() !== "" || document.activeElement === add));
  }

  function replaceBlock(key, html, force) {
    var old = document.getElementById("block-" + key);
    if (!old || (!force && busy(old))) { return false; }
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    old.replaceWith(fresh);
    if (window.htmx) { window.htmx.process(fresh); }
    return true;
  }

  function applyBlocks(data, force) {
    epoch += 1;
    Object.keys(data.blocks).forEach(function (key) { replaceBlock(key, data.blocks[key], force); });
    if (data.version) { canvas.setAttribute("data-version", data.version); }
  }

  // --- moving notes -------------------------------------------------------------------------------------------
  function move(itemEl, block, position) {
    var body = new URLSearchParams({ block: block, position: String(position), version: itemEl.getAttribute("data-version") });
    var url = canvas.getAttribute("data-move-url").replace("/0/", "/" + itemEl.getAttribute("data-item") + "/");
    return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
      .then(function (result) {
        if (!result.ok) { say(result.data.detail || ""); window.alert(result.data.detail || "Error"); poll(true); return; }
        applyBlocks(result.data, true);
        var moved = document.getElementById("item-" + result.data.item);
        if (moved) { moved.focus(); }
        say(canvas.getAttribute("data-moved-text"));
      });
  }

  if (editable) {
    var dragged = null;
    canvas.addEventListener("dragstart", function (event) {
      var item = event.target.closest && event.target.closest(".item[draggable=true]");
      if (!item) { return; }
      dragged = item;
      item.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-item"));
    });
    canvas.addEventListener("dragend", function () {
      if (dragged) { dragged.classList.remove("dragging"); }
      dragged = null;
      Array.prototype.forEach.call(canvas.querySelectorAll(".drop-target"), function (el) { el.classList.remove("drop-target"); });
    });
    canvas.addEventListener("dragover", function (event) {
      var block = event.target.closest && event.target.closest(".block");
      if (!dragged || !block) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      Array.prototype.forEach.call(canvas.querySelectorAll(".drop-target"), function (el) { if (el !== block) { el.classList.remove("drop-target"); } });
      block.classList.add("drop-target");
    });
    canvas.addEventListener("drop", function (event) {
      var block = event.target.closest && event.target.closest(".block");
      if (!dragged || !block) { return; }
      event.preventDefault();
      // The new position: before the first note whose middle is below the pointer.
      var items = Array.prototype.filter.call(block.querySelectorAll(".items > .item"), function (el) { return el !== dragged; });
      var position = items.length;
      for (var i = 0; i < items.length; i += 1) {
        var box = items[i].getBoundingClientRect();
        if (event.clientY < box.top + box.height / 2) { position = i; break; }
      }
      move(dragged, block.getAttribute("data-block"), position);
    });

    // Keyboard: Alt+Up/Down reorders within a block, Alt+Left/Right moves to the previous/next block.
    canvas.addEventListener("keydown", function (event) {
      var item = event.target;
      if (!event.altKey || !item.classList || !item.classList.contains("item") || item.classList.contains("editing")) { return; }
      var block = item.closest(".block");
      var siblings = Array.prototype.slice.call(block.querySelectorAll(".items > .item"));
      var index = siblings.indexOf(item);
      var keys = blockKeys();
      var here = keys.indexOf(block.getAttribute("data-block"));
      var target = null;
      if (event.key === "ArrowUp" && index > 0) { target = [keys[here], index - 1]; }
      if (event.key === "ArrowDown" && index < siblings.length - 1) { target = [keys[here], index + 1]; }
      if (event.key === "ArrowLeft" && here > 0) { target = [keys[here - 1], 9999]; }
      if (event.key === "ArrowRight" && here < keys.length - 1) { target = [keys[here + 1], 9999]; }
      if (target) { event.preventDefault(); move(item, target[0], target[1]); }
    });
  }

  // --- live updates -------------------------------------------------------------------------------------------
  function poll(force) {
    if (document.hidden && !force) { return Promise.resolve(); }
    var url = canvas.getAttribute("data-poll-url") + "?version=" + encodeURIComponent(canvas.getAttribute("data-version"));
    var started = epoch;
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
      if (response.status !== 200) { return; }
      return response.json().then(function (data) {
        if (epoch !== started) { return; }  // a local edit landed meanwhile: the next poll brings the truth
        applyBlocks(data, false);
        say(canvas.getAttribute("data-updated-text"));
      });
    }).catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  window.setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(true); } });

  document.body.addEventListener("htmx:afterSwap", function () { epoch += 1; });

  // htmx answers 409 (a stale edit) and 422 (invalid input) with HTML to show, not an error.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var code = event.detail.xhr.status;
    if (code === 409 || code === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
})();
