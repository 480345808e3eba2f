// Playback for the offline player: the article is already on the page; this
// wires the sentences to the audio. No network, no modules, no build step.
(function () {
  "use strict";

  var manifest = JSON.parse(document.getElementById("manifest").textContent);
  var audio = document.getElementById("audio");
  var $ = function (id) { return document.getElementById(id); };
  var bookMode = !!(manifest.files && manifest.files.book);
  var segs = Array.prototype.map.call(document.querySelectorAll(".s"), function (el) {
    return { el: el, id: el.id, start: +el.dataset.start, end: +el.dataset.end, src: el.dataset.src };
  });
  var duration = +manifest.duration || (segs.length ? segs[segs.length - 1].end : 0);
  var drill = manifest.shadowing || {};

  var state = {
    cur: -1,
    loop: false,
    shadow: false,
    gap: +drill.gap || 1.2,
    rate: 1,
    gapTimer: null,
    gapFor: -1,
    spoken: null, // the <ruby> of the character being spoken
    phrase: null, // {i, start, end}: the selected phrase that R loops
  };

  var store = {
    get: function (key, fallback) {
      try { var v = localStorage.getItem("tts-player." + key); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set: function (key, value) {
      try { localStorage.setItem("tts-player." + key, JSON.stringify(value)); } catch (e) { /* private mode */ }
    },
  };

  function fmt(t) {
    t = Math.max(0, Math.floor(t || 0));
    var h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
    return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
  }

  // The last sentence that has started by time t (book mode), or -1.
  function indexAt(t) {
    var lo = 0, hi = segs.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (segs[mid].start <= t + 0.005) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function chapterTitle(el) {
    var section = el.closest(".chapter");
    var h = section && section.querySelector("h2");
    return h ? h.textContent.trim() : "";
  }

  function setCurrent(i, scroll) {
    if (i === state.cur) return;
    if (state.cur >= 0) segs[state.cur].el.classList.remove("current");
    state.cur = i;
    if (i < 0) { $("where").textContent = "—"; return; }
    var el = segs[i].el;
    el.classList.add("current");
    $("where").textContent = chapterTitle(el) + " · " + (i + 1) + " / " + segs.length;
    if (scroll) {
      var r = el.getBoundingClientRect();
      var bottom = window.innerHeight - $("player").offsetHeight;
      if (r.top < 0 || r.bottom > bottom) el.scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }

  // Sentence-file mode (no book.mp3): each sentence is its own source.
  function load(i) {
    if (bookMode) return Promise.resolve();
    var want = segs[i].src;
    if (audio.getAttribute("src") === want && audio.readyState >= 1) return Promise.resolve();
    return new Promise(function (resolve) {
      audio.addEventListener("loadedmetadata", function done() {
        audio.removeEventListener("loadedmetadata", done);
        if (!segs[i].end && audio.duration) segs[i].end = audio.duration;
        resolve();
      });
      audio.src = want;
      audio.playbackRate = state.rate;
    });
  }

  // A sentence's characters with their times (from data-t, read when first needed): the k-th pair
  // of milliseconds belongs to the k-th <ruby>; times count from the sentence's own start.
  function tokensOf(seg) {
    if (seg.tokens) return seg.tokens;
    var rubies = seg.el.querySelectorAll("ruby");
    var ms = seg.el.dataset.t ? seg.el.dataset.t.split(",") : [];
    seg.tokens = [];
    for (var k = 0; k < rubies.length && 2 * k + 1 < ms.length; k++) {
      if (ms[2 * k] === "") continue;
      seg.tokens.push({ el: rubies[k], start: seg.start + ms[2 * k] / 1000, end: seg.start + ms[2 * k + 1] / 1000 });
    }
    return seg.tokens;
  }

  // The character heard at time t in sentence i, or null (between characters, or no times).
  function tokenAt(i, t) {
    if (i < 0) return null;
    var tokens = tokensOf(segs[i]);
    var lo = 0, hi = tokens.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (tokens[mid].start <= t + 0.005) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found >= 0 && t < tokens[found].end ? tokens[found] : null;
  }

  function showSpoken(t) {
    var token = state.gapTimer ? null : tokenAt(state.cur, t);
    var el = token ? token.el : null;
    if (el === state.spoken) return;
    if (state.spoken) state.spoken.classList.remove("now");
    if (el) el.classList.add("now");
    state.spoken = el;
  }

  // The characters of the current selection, if it lies in one sentence: {i, start, end}.
  function selectedPhrase() {
    var sel = window.getSelection && window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    for (var i = 0; i < segs.length; i++) {
      if (!sel.containsNode(segs[i].el, true)) continue;
      var inside = tokensOf(segs[i]).filter(function (tk) { return sel.containsNode(tk.el, true); });
      if (!inside.length) return null;
      return { i: i, start: inside[0].start, end: inside[inside.length - 1].end };
    }
    return null;
  }

  function playFrom(i, at) {
    if (i < 0 || i >= segs.length) return;
    cancelGap();
    setCurrent(i, true);
    load(i).then(function () {
      audio.currentTime = at === undefined ? segs[i].start : at;
      var p = audio.play();
      if (p && p.catch) p.catch(function () { /* blocked until the user interacts */ });
    });
  }

  function moveTo(i) {
    i = Math.max(0, Math.min(segs.length - 1, i));
    if (!audio.paused || state.gapTimer) { playFrom(i); return; }
    setCurrent(i, true);
    load(i).then(function () { audio.currentTime = segs[i].start; render(); });
  }

  function startGap(i) {
    var seg = segs[i];
    var ms = Math.max(0, state.gap * (seg.end - seg.start) / state.rate * 1000);
    state.gapFor = i;
    seg.el.classList.add("your-turn");
    $("turn").hidden = false;
    var bar = $("gapbar");
    bar.style.transition = "none";
    bar.style.width = "100%";
    void bar.offsetWidth;
    bar.style.transition = "width " + ms + "ms linear";
    bar.style.width = "0%";
    state.gapTimer = setTimeout(endGap, ms);
  }

  function cancelGap() {
    if (state.gapTimer) clearTimeout(state.gapTimer);
    state.gapTimer = null;
    if (state.gapFor >= 0) segs[state.gapFor].el.classList.remove("your-turn");
    state.gapFor = -1;
    $("turn").hidden = true;
    var bar = $("gapbar");
    bar.style.transition = "none";
    bar.style.width = "0%";
  }

  function endGap() {
    var i = state.gapFor;
    cancelGap();
    var next = state.loop ? i : i + 1;
    if (next < segs.length) playFrom(next);
  }

  // The current sentence has just ended while repeating or shadowing.
  function sentenceEnded(i) {
    if (state.shadow) {
      audio.pause();
      startGap(i);
    } else if (state.loop) {
      audio.currentTime = segs[i].start;
    }
  }

  function tick() {
    var t = audio.currentTime;
    var cur = state.cur;
    var phrase = state.phrase;
    if (phrase && state.loop && !audio.paused && t >= phrase.end - 0.01) {
      audio.currentTime = phrase.start;
    } else if (cur >= 0 && !audio.paused && !state.gapTimer && (state.loop || state.shadow) && t >= segs[cur].end - 0.01) {
      sentenceEnded(cur);
    } else if (bookMode) {
      var i = indexAt(t);
      if (i !== cur) setCurrent(i, !audio.paused);
    }
    render();
  }

  function render() {
    var t = audio.currentTime;
    var total = bookMode ? duration : (audio.duration || 0);
    $("time").textContent = fmt(t) + " / " + fmt(total);
    showSpoken(t);
    $("fill").style.width = total ? Math.min(100, (100 * t) / total) + "%" : "0%";
    document.body.classList.toggle("playing", !audio.paused);
    $("play").setAttribute("aria-label", audio.paused ? "play" : "pause");
  }

  function loopFrame() {
    tick();
    if (!audio.paused) requestAnimationFrame(loopFrame);
  }

  function togglePlay() {
    if (state.gapTimer) { endGap(); return; }
    if (audio.paused) {
      if (state.cur < 0) { playFrom(0); return; }
      var p = audio.play();
      if (p && p.catch) p.catch(function () {});
    } else {
      audio.pause();
    }
  }

  function setToggle(id, on) {
    $(id).setAttribute("aria-pressed", on ? "true" : "false");
  }

  // R with a phrase selected loops exactly that phrase; otherwise it repeats the sentence.
  function setLoop(on) {
    if (state.phrase) segs[state.phrase.i].el.classList.remove("phrase-loop");
    state.phrase = on ? selectedPhrase() : null;
    state.loop = on;
    setToggle("loop", on);
    if (state.phrase) {
      segs[state.phrase.i].el.classList.add("phrase-loop");
      playFrom(state.phrase.i, state.phrase.start);
    }
  }
  function setShadow(on) {
    state.shadow = on;
    setToggle("shadow", on);
    if (!on && state.gapTimer) cancelGap();
    store.set("shadow", on);
  }
  function setPinyin(on) {
    document.body.classList.toggle("no-pinyin", !on);
    setToggle("pinyin", on);
    store.set("pinyin", on);
  }
  var RATES = [0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2];
  function setRate(r) {
    state.rate = r;
    audio.playbackRate = r;
    $("rate").value = String(r);
    store.set("rate", r);
  }
  function stepRate(dir) {
    var i = RATES.indexOf(state.rate);
    if (i < 0) i = RATES.indexOf(1);
    setRate(RATES[Math.max(0, Math.min(RATES.length - 1, i + dir))]);
  }

  function fillSelect(select, values, current, label) {
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = String(v);
      o.textContent = label(v);
      select.appendChild(o);
    });
    select.value = String(current);
  }

  // --- wiring
  fillSelect($("rate"), RATES, 1, function (v) { return v + "×"; });
  var gaps = [0.5, 0.8, 1, 1.2, 1.5, 2, 3];
  if (gaps.indexOf(state.gap) < 0) { gaps.push(state.gap); gaps.sort(function (a, b) { return a - b; }); }
  fillSelect($("gap"), gaps, state.gap, function (v) { return v + "×"; });

  segs.forEach(function (seg, i) {
    seg.el.addEventListener("click", function (e) {
      if (!window.getSelection().isCollapsed) return; // selecting a phrase to loop, not jumping
      var ruby = e.target.closest && e.target.closest("ruby");
      var token = ruby && tokensOf(seg).filter(function (tk) { return tk.el === ruby; })[0];
      playFrom(i, token ? token.start : undefined);
    });
    seg.el.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); playFrom(i); }
    });
  });
  $("play").addEventListener("click", togglePlay);
  $("prev").addEventListener("click", function () { moveTo(state.cur - 1); });
  $("next").addEventListener("click", function () { moveTo(state.cur + 1); });
  $("loop").addEventListener("click", function () { setLoop(!state.loop); });
  $("shadow").addEventListener("click", function () { setShadow(!state.shadow); });
  $("pinyin").addEventListener("click", function () { setPinyin(document.body.classList.contains("no-pinyin")); });
  // After a choice the menus let go of the focus, so the keys work again at once.
  $("rate").addEventListener("change", function (e) { setRate(+e.target.value); e.target.blur(); });
  $("gap").addEventListener("change", function (e) { state.gap = +e.target.value; e.target.blur(); });
  $("progress").addEventListener("click", function (e) {
    if (!bookMode) return;
    var r = e.currentTarget.getBoundingClientRect();
    var t = ((e.clientX - r.left) / r.width) * duration;
    cancelGap();
    audio.currentTime = t;
    setCurrent(indexAt(t), false);
    render();
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-goto]"), function (a) {
    a.addEventListener("click", function (e) {
      e.preventDefault();
      var i = segs.findIndex(function (s) { return s.id === a.dataset.goto; });
      if (i >= 0) { moveTo(i); segs[i].el.focus({ preventScroll: true }); }
    });
  });

  audio.addEventListener("play", function () { requestAnimationFrame(loopFrame); render(); });
  audio.addEventListener("pause", render);
  audio.addEventListener("timeupdate", tick);
  audio.addEventListener("seeked", render);
  audio.addEventListener("loadedmetadata", render);
  audio.addEventListener("ended", function () {
    if (bookMode) { render(); return; }
    var i = state.cur;
    if (state.loop || state.shadow) sentenceEnded(i); else if (i + 1 < segs.length) playFrom(i + 1);
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea") return;
    if (tag === "audio") return;
    switch (e.key) {
      case " ": case "Spacebar": e.preventDefault(); togglePlay(); break;
      case "ArrowLeft": e.preventDefault(); moveTo(state.cur - 1); break;
      case "ArrowRight": e.preventDefault(); moveTo(state.cur + 1); break;
      case "r": case "R": setLoop(!state.loop); break;
      case "s": case "S": setShadow(!state.shadow); break;
      case "p": case "P": setPinyin(document.body.classList.contains("no-pinyin")); break;
      case "[": stepRate(-1); break;
      case "]": stepRate(1); break;
      default: return;
    }
  });

  // Chapter ticks on the progress bar (book mode).
  if (bookMode && duration) {
    (manifest.chapters || []).forEach(function (c) {
      if (!c.start) return;
      var tickEl = document.createElement("i");
      tickEl.className = "tick";
      tickEl.style.left = (100 * c.start) / duration + "%";
      tickEl.title = c.title;
      $("progress").appendChild(tickEl);
    });
  }

  // Drill tracks: show the unit being drilled and whether it is the learner's turn.
  Array.prototype.forEach.call(document.querySelectorAll("audio.drill"), function (track) {
    var chapter = (drill.chapters || []).filter(function (c) { return String(c.index) === track.dataset.chapter; })[0];
    var box = track.parentNode.querySelector(".drill-now");
    if (!chapter || !box) return;
    var shown = null;
    function show() {
      var t = track.currentTime, unit = null;
      for (var k = 0; k < chapter.units.length; k++) {
        var u = chapter.units[k];
        if (u.start <= t + 0.01 && t < u.gap_end) { unit = u; break; }
      }
      var turn = unit && t >= unit.end;
      var key = unit ? unit.start + (turn ? "t" : "p") : "";
      if (key === shown) return;
      shown = key;
      box.textContent = "";
      if (!unit) return;
      var label = document.createElement("span");
      label.className = "drill-label" + (turn ? " your-turn" : "");
      label.textContent = turn ? "跟读 your turn" : (unit.pass === "slow" ? "慢 slow" : "▶ " + unit.round + " / " + drill.repeat);
      var text = document.createElement("span");
      text.className = "drill-text";
      text.lang = "zh";
      text.textContent = unit.text;
      var reading = document.createElement("span");
      reading.className = "drill-pinyin";
      reading.textContent = unit.pinyin;
      box.appendChild(label); box.appendChild(text); box.appendChild(reading);
    }
    track.addEventListener("timeupdate", show);
    track.addEventListener("seeked", show);
    track.addEventListener("play", function () { cancelGap(); if (!audio.paused) audio.pause(); });
  });
  audio.addEventListener("play", function () {
    Array.prototype.forEach.call(document.querySelectorAll("audio.drill"), function (t) { if (!t.paused) t.pause(); });
  });

  setRate(store.get("rate", 1));
  setShadow(!!store.get("shadow", false));
  setPinyin(store.get("pinyin", true) !== false);
  render();

  // For tests and for the curious: the player's state from the console.
  window.ttsPlayer = { state: state, segments: segs, playFrom: playFrom, indexAt: indexAt, tokenAt: tokenAt };
})();
