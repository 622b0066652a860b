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

  // A block being edited (an open form, a note being typed) is never replaced under the user's hands.
  function busy(block) {
    if (block.querySelector(".editing, .comment-form textarea:focus")) { return true; }
    var add = block.querySelector(".add-item textarea");
    return !!(add && (add.value.trim() !== "" || document.activeElement === add));
  }

  function dragging() { return !!canvas.querySelector(".item.dragging"); }

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

  // The header's status line (version, assumption counts, stale notes): nothing in it is ever being edited.
  function replaceStatus(html) {
    var old = document.getElementById("canvas-status");
    if (!old) { return; }
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    if (holder.firstElementChild) { old.replaceWith(holder.firstElementChild); }
  }

  // Apply re-rendered blocks. The page's version moves on only when it now shows every block of that version;
  // a block skipped because the user is busy in it keeps the page "behind", so the next poll brings it again.
  function applyBlocks(data, complete) {
    epoch += 1;
    var all = true;
    Object.keys(data.blocks).forEach(function (key) { all = replaceBlock(key, data.blocks[key], false) && all; });
    if (data.status) { replaceStatus(data.status); }
    if (complete && all && data.version) { canvas.setAttribute("data-version", data.version); }
    return all;
  }

  // Our own change made the canvas go from `previous` to `version`: if the page showed `previous`, it now shows
  // `version` (the blocks the change touched were just swapped in), and the next poll can answer 204.
  function caughtUp(previous, version) {
    if (previous && version && canvas.getAttribute("data-version") === String(previous)) {
      canvas.setAttribute("data-version", String(version));
    }
  }

  // --- moving notes -------------------------------------------------------------------------------------------
  var moving = false;

  function move(itemEl, block, position) {
    if (moving) { return Promise.resolve(); }
    moving = true;
    var body = new URLSearchParams({ block: block, position: String(position), version: itemEl.getAttribute("data-version") });
    var url = canvas.getAttribute("data-move-url").replace("/0/", "/" + itemEl.getAttribute("data-item") + "/");
    return fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then(function (response) { return response.json().then(function (data) { return { ok: response.ok, data: data }; }); })
      .then(function (result) {
        if (!result.ok) { window.alert(result.data.detail || "Error"); return; }
        if (applyBlocks(result.data, false)) { caughtUp(result.data.previous_version, result.data.version); }
        var moved = document.getElementById("item-" + result.data.item);
        if (moved) { moved.focus(); }
        say(canvas.getAttribute("data-moved-text"));
      })
      .catch(function () { window.alert(canvas.getAttribute("data-error-text")); })
      .then(function () { moving = false; });
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

    // The block beside `item`'s block on screen in a direction, at the item's height (the grid is not the
    // blueprint's order, and tall blocks have two neighbours on a side).
    function neighbour(item, direction) {
      var block = item.closest(".block");
      var here = block.getBoundingClientRect();
      var itemBox = item.getBoundingClientRect();
      var y = itemBox.top + itemBox.height / 2;
      var best = null;
      var bestDistance = Infinity;
      Array.prototype.forEach.call(canvas.querySelectorAll(".block"), function (other) {
        if (other === block) { return; }
        var box = other.getBoundingClientRect();
        var ahead = direction === "ArrowLeft" ? box.right <= here.left + 2 : box.left >= here.right - 2;
        if (!ahead) { return; }
        var dx = direction === "ArrowLeft" ? here.left - box.right : box.left - here.right;
        var dy = Math.max(0, box.top - y, y - box.bottom);
        var distance = dx + dy * 3;
        if (distance < bestDistance) { best = other; bestDistance = distance; }
      });
      return best;
    }

    // Keyboard: Alt+Up/Down reorders within a block, Alt+Left/Right moves to the block beside it.
    canvas.addEventListener("keydown", function (event) {
      var item = event.target;
      if (!event.altKey || !item.classList || !item.classList.contains("item") || item.classList.contains("editing")) { return; }
      if (["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].indexOf(event.key) < 0) { return; }
      event.preventDefault();  // never the browser's Alt+Left "back"
      if (event.repeat || moving) { return; }
      var block = item.closest(".block");
      var siblings = Array.prototype.slice.call(block.querySelectorAll(".items > .item"));
      var index = siblings.indexOf(item);
      var key = block.getAttribute("data-block");
      if (event.key === "ArrowUp" && index > 0) { move(item, key, index - 1); }
      if (event.key === "ArrowDown" && index < siblings.length - 1) { move(item, key, index + 1); }
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        var other = neighbour(item, event.key);
        if (other) { move(item, other.getAttribute("data-block"), 9999); }
      }
    });
  }

  // --- live updates -------------------------------------------------------------------------------------------
  var stopped = false;

  function poll(force) {
    if (stopped || (document.hidden && !force) || dragging()) { return Promise.resolve(); }
    var url = canvas.getAttribute("data-poll-url") + "?version=" + encodeURIComponent(canvas.getAttribute("data-version"));
    var started = epoch;
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (response) {
      if (response.status === 404) { stopped = true; say(canvas.getAttribute("data-gone-text")); window.alert(canvas.getAttribute("data-gone-text")); return; }
      if (response.status !== 200) { return; }
      return response.json().then(function (data) {
        if (epoch !== started) { return; }  // a local edit landed meanwhile: the next poll brings the truth
        applyBlocks(data, true);
        say(canvas.getAttribute("data-updated-text"));
      });
    }).catch(function () { /* offline for a moment: the next poll tries again */ });
  }
  window.setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(true); } });

  document.body.addEventListener("htmx:afterSwap", function () { epoch += 1; });
  // After adding a note the block's field takes the focus back, so one can type the next note at once; but not
  // when the user has meanwhile moved to another field (an autofocus would pull their typing into this block).
  document.body.addEventListener("htmx:afterSettle", function () {
    var field = canvas.querySelector("textarea[data-refocus]");
    if (!field) { return; }
    field.removeAttribute("data-refocus");
    var active = document.activeElement;
    if (!active || active === document.body) { field.focus(); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (xhr) { caughtUp(xhr.getResponseHeader("X-Canvas-Previous-Version"), xhr.getResponseHeader("X-Canvas-Version")); }
  });

  // htmx answers 409 (a stale edit) and 422 (invalid input) with HTML to show, not an error.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var code = event.detail.xhr.status;
    if (code === 409 || code === 422) { event.detail.shouldSwap = true; event.detail.isError = false; }
  });
})();
