// emoreason page: submit a clip as a job, poll it, draw the result. Plain JS, no dependencies.
"use strict";

const COLORS = {
  neutral: "#9e9e9e", happy: "#f4b400", sad: "#4285f4", angry: "#db4437",
  fearful: "#8e24aa", surprised: "#00acc1", disgusted: "#2e7d32",
};
const EMOTION_ZH = {
  neutral: "中性", happy: "开心", sad: "悲伤", angry: "愤怒",
  fearful: "恐惧", surprised: "惊讶", disgusted: "厌恶",
};
const PANEL_ORDER = ["face", "body", "scene", "acoustic", "speech", "verbal"];
const DIMENSIONS = [
  "video_desc", "audio_desc.speech_content", "audio_desc.acoustic_feat",
  "facial_exp_desc", "body_lang_desc", "sentiment_analysis",
];
const TEXT = {
  en: {
    tagline: "What does the person in the clip feel, and why?", api: "API",
    drop: "Drop a video or audio clip here, or click to choose one",
    orExample: "or an example", analyse: "Analyse",
    seekHint: "Click a cue or the chart to jump the video there.",
    timeline: "Timeline", modalities: "Per modality", cues: "Cues",
    saber: "SABER description", downloadJson: "Download JSON",
    downloadReport: "Download HTML report", queued: "Waiting in the queue (position {n})",
    running: "Running", "loading models": "Loading models", perception: "Perceiving face, voice and words",
    reasoning: "Reasoning", done: "Done", of: "{t} s of about {e} s",
    busy: "The server is busy: try again in {s} s.", final: "Final emotion",
    pattern: "pattern", conflicts: "conflicts", none: "none", agreement: "agreement",
    modality: "modality", label: "label", confidence: "confidence", distribution: "distribution",
    unavailable: "unavailable", untimed: "no time", noTimeline: "No timeline in this result.",
    noCues: "No cues.", missing: "missing", analysedIn: "analysed in {l}", clip: "clip",
    consistent: "consistent", "video-aligned": "video-aligned", "audio-aligned": "audio-aligned",
    ambiguous: "ambiguous", failed: "Failed", network: "Lost contact with the server",
    dims: {
      video_desc: "Scene", "audio_desc.speech_content": "Speech content",
      "audio_desc.acoustic_feat": "Acoustic features", facial_exp_desc: "Facial expression",
      body_lang_desc: "Body language", sentiment_analysis: "Reasoning",
    },
    mods: {
      visual: "visual", acoustic: "acoustic", verbal: "verbal", face: "face", body: "body",
      scene: "scene", speech: "speech",
    },
  },
  zh: {
    tagline: "片中人有什么情绪？为什么？", api: "API 文档",
    drop: "把视频或音频拖到这里，或点击选择文件", orExample: "或选择示例", analyse: "分析",
    seekHint: "点击线索或图表，视频会跳到该时刻。",
    timeline: "时间线", modalities: "各模态", cues: "线索", saber: "SABER 描述",
    downloadJson: "下载 JSON", downloadReport: "下载 HTML 报告", queued: "排队中（第 {n} 位）",
    running: "运行中", "loading models": "加载模型", perception: "感知面部、声音和语言",
    reasoning: "推理", done: "完成", of: "{t} 秒，约需 {e} 秒",
    busy: "服务器繁忙：请 {s} 秒后重试。", final: "最终情绪",
    pattern: "模式", conflicts: "冲突", none: "无", agreement: "一致度",
    modality: "模态", label: "标签", confidence: "置信度", distribution: "分布",
    unavailable: "不可用", untimed: "无时间", noTimeline: "此结果没有时间线。",
    noCues: "没有线索。", missing: "缺失", analysedIn: "分析语言：{l}", clip: "片段",
    consistent: "一致", "video-aligned": "以视频为准", "audio-aligned": "以音频为准",
    ambiguous: "不确定", failed: "失败", network: "与服务器的连接中断",
    dims: {
      video_desc: "场景", "audio_desc.speech_content": "语音内容",
      "audio_desc.acoustic_feat": "声学特征", facial_exp_desc: "面部表情",
      body_lang_desc: "肢体语言", sentiment_analysis: "情感推理",
    },
    mods: {
      visual: "视觉", acoustic: "声学", verbal: "言语", face: "面部", body: "肢体",
      scene: "场景", speech: "语音",
    },
  },
};

const state = { lang: "en", file: null, example: "", job: null, result: null, mediaUrl: null };
const $ = (sel) => document.querySelector(sel);
const SVG_NS = "http://www.w3.org/2000/svg";

function t(key, vars = {}) {
  const text = TEXT[state.lang][key] ?? TEXT.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.append(node);
  return node;
}

function emotionName(label) {
  return state.lang === "zh" && EMOTION_ZH[label] ? `${EMOTION_ZH[label]} ${label}` : label;
}

function modName(name) {
  return TEXT[state.lang].mods[name] ?? name;
}

function fmtTime(seconds) {
  return `${seconds.toFixed(2)} s`;
}

// ---- language ---------------------------------------------------------------------------
function setLanguage(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const button of document.querySelectorAll(".lang button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
  }
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  if (state.result) renderResult(state.result);
}

// ---- input ------------------------------------------------------------------------------
function chooseFile(file) {
  state.file = file;
  state.example = "";
  $("#example").value = "";
  $("#example-note").textContent = "";
  $("#chosen").textContent = file ? `${file.name} (${(file.size / 1024).toFixed(0)} KB)` : "";
  $("#run").disabled = !file;
}

async function loadExamples() {
  try {
    const reply = await fetch("/examples");
    if (!reply.ok) return;
    const select = $("#example");
    for (const example of await reply.json()) {
      const option = el("option", { value: example.name }, example.name);
      option.dataset.note = example.note;
      option.dataset.url = example.url;
      select.append(option);
    }
  } catch (err) {
    /* no examples: uploads still work */
  }
}

function showError(message) {
  const box = $("#error");
  box.textContent = message;
  box.hidden = !message;
}

function setProgress(fraction, text) {
  $("#progress").hidden = false;
  $("#progress-fill").style.width = `${Math.round(Math.max(0, Math.min(1, fraction)) * 100)}%`;
  $("#progress-text").textContent = text;
}

async function submit() {
  showError("");
  const form = new FormData();
  if (state.file) form.append("file", state.file, state.file.name);
  else if (state.example) form.append("example", state.example);
  else return;
  form.append("lang", state.lang);
  $("#run").disabled = true;
  setProgress(0.02, t("queued", { n: "…" }));
  try {
    const reply = await fetch("/jobs", { method: "POST", body: form });
    const body = await reply.json().catch(() => ({}));
    if (reply.status === 503) {
      throw new Error(t("busy", { s: reply.headers.get("Retry-After") || "?" }));
    }
    if (!reply.ok) throw new Error(body.error || `HTTP ${reply.status}`);
    state.mediaUrl = state.file ? URL.createObjectURL(state.file) : body.media_url;
    await poll(body.id);
  } catch (err) {
    $("#progress").hidden = true;
    showError(err.message || String(err));
  } finally {
    $("#run").disabled = !(state.file || state.example);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function poll(jobId) {
  for (;;) {
    let job;
    try {
      const reply = await fetch(`/jobs/${jobId}`);
      job = await reply.json();
      if (!reply.ok) throw new Error(job.error || `HTTP ${reply.status}`);
    } catch (err) {
      throw new Error(`${t("network")}: ${err.message}`);
    }
    if (job.status === "done") {
      setProgress(1, t("done"));
      state.job = job;
      renderResult(job.result);
      return;
    }
    if (job.status === "error") throw new Error(`${t("failed")}: ${job.error}`);
    if (job.status === "queued") {
      setProgress(0.03, t("queued", { n: job.position }));
    } else {
      const expected = Math.max(job.expected_seconds, 0.5);
      const label = TEXT[state.lang][job.stage] ? t(job.stage) : t("running");
      const eta = t("of", { t: job.elapsed.toFixed(1), e: expected.toFixed(0) });
      setProgress(0.05 + 0.9 * Math.min(job.elapsed / expected, 1), `${label}… ${eta}`);
    }
    await sleep(400);
  }
}

// ---- result -----------------------------------------------------------------------------
function renderResult(result) {
  state.result = result;
  $("#result").hidden = false;
  renderVerdict(result);
  renderModalities(result);
  renderCues(result);
  renderSaber(result);
  drawTimeline(result);
  const video = $("#video");
  if (state.mediaUrl && video.dataset.src !== state.mediaUrl) {
    video.src = state.mediaUrl;
    video.dataset.src = state.mediaUrl;
  }
  if (state.job) {
    $("#dl-json").href = state.job.links.json;
    $("#dl-report").href = state.job.links.report;
  }
}

function renderVerdict(result) {
  const c = result.consistency;
  const box = $("#verdict");
  box.replaceChildren();
  const emotion = el("span", { class: "emotion", id: "final-emotion" }, emotionName(result.emotion));
  emotion.style.background = COLORS[result.emotion] || "#333";
  const conflicts = c.conflicts.map(([a, b]) => `${modName(a)} ↔ ${modName(b)}`).join(", ") || t("none");
  const head = el(
    "div", {},
    el("div", { class: "meta" }, t("final")),
    emotion,
  );
  const badge = el("span", { class: `badge ${c.verdict}`, id: "verdict-badge" }, t(c.verdict));
  const pattern = el("span", { id: "pattern" }, c.pattern ? ` · ${t("pattern")}: ${c.pattern}` : "");
  const meta = el(
    "p", { class: "meta" },
    `${result.source} · ${t("analysedIn", { l: result.language })} · ${t("agreement")} ${c.agreement.toFixed(2)}`
      + ` · ${t("conflicts")}: ${conflicts}`,
  );
  const why = el("div", { class: "why" }, el("p", {}, badge, pattern), el("p", {}, c.explanation || result.explanation), meta);
  box.append(head, why);
}

function renderModalities(result) {
  const table = $("#modalities");
  table.replaceChildren(el(
    "tr", {},
    el("th", {}, t("modality")), el("th", {}, t("label")), el("th", {}, t("confidence")),
    el("th", {}, t("distribution")),
  ));
  for (const [name, hyp] of Object.entries(result.hypotheses)) {
    const row = el("tr", { "data-modality": name }, el("td", {}, modName(name)));
    if (!hyp.available) {
      row.append(el("td", { colspan: "3", class: "note" }, t("unavailable")));
    } else {
      const label = Object.entries(hyp.distribution).sort((a, b) => b[1] - a[1])[0][0];
      const bar = el("span", { class: "conf" });
      bar.style.width = `${Math.round(hyp.confidence * 60)}px`;
      const dist = el("div", { class: "dist" });
      for (const [emotion, p] of Object.entries(hyp.distribution).sort((a, b) => b[1] - a[1])) {
        const part = el("span", { title: `${emotionName(emotion)} ${p.toFixed(2)}` });
        part.style.width = `${p * 100}%`;
        part.style.background = COLORS[emotion];
        dist.append(part);
      }
      row.append(
        el("td", { class: "label" }, el("b", {}, emotionName(label))),
        el("td", {}, bar, hyp.confidence.toFixed(2)),
        el("td", {}, dist),
      );
    }
    table.append(row);
  }
}

function allCues(result) {
  const cues = [];
  const modalities = result.evidence ? result.evidence.modalities : {};
  for (const name of PANEL_ORDER) {
    for (const cue of modalities[name]?.cues ?? []) cues.push({ ...cue, modality: name });
  }
  const timed = cues.filter((c) => c.start !== null).sort((a, b) => a.start - b.start);
  return timed.concat(cues.filter((c) => c.start === null));
}

function renderCues(result) {
  const list = $("#cues");
  list.replaceChildren();
  const cues = allCues(result);
  if (!cues.length) list.append(el("li", { class: "note" }, t("noCues")));
  cues.forEach((cue, index) => {
    const span = cue.start === null ? t("untimed")
      : cue.end !== null && cue.end > cue.start ? `${cue.start.toFixed(2)}–${cue.end.toFixed(2)} s`
        : fmtTime(cue.start);
    const button = el(
      "button", { type: "button", "data-cue": String(index), "data-start": cue.start ?? "" },
      el("span", { class: "t" }, span), el("span", { class: "m" }, modName(cue.modality)),
      `${cue.description} (${cue.confidence.toFixed(2)})`,
    );
    if (cue.start === null) button.disabled = true;
    else button.addEventListener("click", () => seek(cue.start, index));
    list.append(el("li", {}, button));
  });
}

function renderSaber(result) {
  const list = $("#saber");
  list.replaceChildren();
  for (const dim of DIMENSIONS) {
    const [top, sub] = dim.split(".");
    const text = sub ? result.saber[top][sub] : result.saber[top];
    list.append(
      el("dt", {}, TEXT[state.lang].dims[dim]),
      text && text.trim() ? el("dd", {}, text) : el("dd", { class: "missing" }, t("missing")),
    );
  }
}

// ---- timeline ---------------------------------------------------------------------------
const chart = { x: null, duration: 0, panels: [], top: 0, bottom: 0, svg: null };

function drawTimeline(result) {
  const host = $("#timeline");
  host.replaceChildren();
  const modalities = result.evidence ? result.evidence.modalities : {};
  const panels = PANEL_ORDER.filter((m) => modalities[m] && modalities[m].timeline.length);
  const cueRows = PANEL_ORDER.filter((m) => (modalities[m]?.cues ?? []).some((c) => c.start !== null));
  if (!panels.length && !cueRows.length) {
    host.append(el("p", { class: "note" }, t("noTimeline")));
    chart.svg = null;
    return;
  }
  let duration = result.evidence.clip.duration || 0;
  for (const m of panels) duration = Math.max(duration, ...modalities[m].timeline.map((p) => p.time));
  duration = Math.max(duration, 0.1);
  const W = 720, left = 64, right = 12, panelH = 74, gap = 12, rowH = 16, top = 6;
  const cueTop = top + panels.length * (panelH + gap);
  const axisY = cueTop + cueRows.length * rowH + 4;
  const H = axisY + 24;
  const x = (time) => left + (time / duration) * (W - left - right);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": t("timeline") });
  Object.assign(chart, { x, duration, panels: [], top, bottom: axisY, svg: root, left, right, W });

  panels.forEach((name, i) => {
    const y0 = top + i * (panelH + gap);
    const y = (score) => y0 + panelH - score * panelH;
    svg("rect", { x: left, y: y0, width: W - left - right, height: panelH, fill: "#fafbfc", stroke: "#e3e6ea" }, root);
    for (const level of [0.5]) {
      svg("line", { x1: left, x2: W - right, y1: y(level), y2: y(level), stroke: "#eceff2" }, root);
    }
    const label = svg("text", { x: left - 8, y: y0 + panelH / 2 + 4, "text-anchor": "end", "font-size": 12, fill: "#333" }, root);
    label.textContent = modName(name);
    const points = modalities[name].timeline;
    for (const emotion of Object.keys(COLORS)) {
      const values = points.map((p) => p.scores[emotion] ?? 0);
      if (Math.max(...values) <= 0.02) continue;
      if (points.length === 1) {
        svg("circle", { class: "line", cx: x(points[0].time), cy: y(values[0]), r: 4, fill: COLORS[emotion], "data-emotion": emotion }, root);
        continue;
      }
      const d = points.map((p, k) => `${k ? "L" : "M"}${x(p.time).toFixed(1)},${y(values[k]).toFixed(1)}`).join("");
      svg("path", { class: "line", d, fill: "none", stroke: COLORS[emotion], "stroke-width": 2, "data-emotion": emotion, "data-modality": name }, root);
    }
    chart.panels.push({ name, points, y0, panelH });
  });

  const cues = allCues(result);
  cueRows.forEach((name, row) => {
    const y0 = cueTop + row * rowH;
    const label = svg("text", { x: left - 8, y: y0 + 11, "text-anchor": "end", "font-size": 10, fill: "#5f6b76" }, root);
    label.textContent = modName(name);
    cues.forEach((cue, index) => {
      if (cue.modality !== name || cue.start === null) return;
      const end = cue.end !== null && cue.end > cue.start ? cue.end : cue.start + duration / 100;
      const rect = svg("rect", {
        class: "cue", x: x(cue.start), y: y0 + 2, width: Math.max(x(end) - x(cue.start), 3), height: rowH - 4,
        fill: "#455a64", "fill-opacity": (0.25 + 0.6 * cue.confidence).toFixed(2), "data-cue": index,
      }, root);
      svg("title", {}, rect).textContent = `${cue.description} @ ${fmtTime(cue.start)}`;
      rect.addEventListener("click", (event) => { event.stopPropagation(); seek(cue.start, index); });
    });
  });

  svg("line", { x1: left, x2: W - right, y1: axisY, y2: axisY, stroke: "#999" }, root);
  const step = niceStep(duration);
  for (let tick = 0; tick <= duration + 1e-9; tick += step) {
    svg("line", { x1: x(tick), x2: x(tick), y1: axisY, y2: axisY + 4, stroke: "#999" }, root);
    const text = svg("text", { x: x(tick), y: axisY + 16, "text-anchor": "middle", "font-size": 10, fill: "#5f6b76" }, root);
    text.textContent = `${+tick.toFixed(2)}s`;
  }
  chart.guide = svg("line", { class: "guide", y1: top, y2: axisY, visibility: "hidden" }, root);
  chart.playhead = svg("line", { class: "playhead", y1: top, y2: axisY }, root);
  host.append(root);
  const tip = el("div", { class: "tip", hidden: "" });
  host.append(tip);
  const legend = el("div", { class: "legend" });
  for (const emotion of Object.keys(COLORS)) {
    if (!root.querySelector(`[data-emotion="${emotion}"]`)) continue;
    const swatch = el("i");
    swatch.style.background = COLORS[emotion];
    legend.append(el("span", {}, swatch, emotionName(emotion)));
  }
  host.append(legend);
  root.addEventListener("mousemove", (event) => hover(event, tip));
  root.addEventListener("mouseleave", () => { tip.hidden = true; chart.guide.setAttribute("visibility", "hidden"); });
  root.addEventListener("click", (event) => seek(timeAt(event)));
  movePlayhead();
}

function niceStep(duration) {
  const raw = duration / 8;
  const base = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw);
}

function timeAt(event) {
  const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(chart.svg.getScreenCTM().inverse());
  const span = chart.W - chart.left - chart.right;
  return Math.max(0, Math.min(chart.duration, ((point.x - chart.left) / span) * chart.duration));
}

function hover(event, tip) {
  const time = timeAt(event);
  chart.guide.setAttribute("x1", chart.x(time));
  chart.guide.setAttribute("x2", chart.x(time));
  chart.guide.setAttribute("visibility", "visible");
  tip.replaceChildren(el("div", {}, el("b", {}, fmtTime(time))));
  for (const panel of chart.panels) {
    const nearest = panel.points.reduce((a, b) => (Math.abs(b.time - time) < Math.abs(a.time - time) ? b : a));
    const top = Object.entries(nearest.scores).sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([e, s]) => `${emotionName(e)} ${s.toFixed(2)}`).join(" · ");
    tip.append(el("div", { "data-modality": panel.name }, `${modName(panel.name)} @ ${fmtTime(nearest.time)}: ${top}`));
  }
  tip.hidden = false;
  const host = $("#timeline").getBoundingClientRect();
  const offsetX = event.clientX - host.left;
  tip.style.left = `${Math.min(offsetX + 14, host.width - tip.offsetWidth - 4)}px`;
  tip.style.top = `${event.clientY - host.top + 14}px`;
}

function seek(time, cueIndex = null) {
  const video = $("#video");
  if (Number.isFinite(time)) {
    try {
      video.currentTime = time;
    } catch (err) {
      /* no media loaded */
    }
    video.dataset.seekedTo = String(time);
  }
  for (const node of document.querySelectorAll(".cue.active, .cues li.active")) node.classList.remove("active");
  if (cueIndex !== null) {
    document.querySelector(`rect.cue[data-cue="${cueIndex}"]`)?.classList.add("active");
    document.querySelector(`.cues button[data-cue="${cueIndex}"]`)?.parentElement.classList.add("active");
  }
  movePlayhead(time);
}

function movePlayhead(time = null) {
  if (!chart.svg || !chart.playhead) return;
  const current = time ?? $("#video").currentTime ?? 0;
  const px = chart.x(Math.min(current || 0, chart.duration));
  chart.playhead.setAttribute("x1", px);
  chart.playhead.setAttribute("x2", px);
}

// ---- wiring -----------------------------------------------------------------------------
function init() {
  for (const button of document.querySelectorAll(".lang button")) {
    button.addEventListener("click", () => setLanguage(button.dataset.lang));
  }
  $("#file").addEventListener("change", (event) => chooseFile(event.target.files[0] || null));
  const drop = $("#drop");
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer.files.length) chooseFile(event.dataTransfer.files[0]);
  });
  // A file dropped next to the zone must not make the browser navigate away from the page.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
  $("#example").addEventListener("change", (event) => {
    const option = event.target.selectedOptions[0];
    state.example = event.target.value;
    if (state.example) {
      state.file = null;
      $("#file").value = "";
      $("#chosen").textContent = "";
    }
    $("#example-note").textContent = option?.dataset.note || "";
    $("#run").disabled = !(state.file || state.example);
  });
  $("#run").addEventListener("click", submit);
  const video = $("#video");
  video.addEventListener("timeupdate", () => movePlayhead());
  video.addEventListener("seeked", () => movePlayhead());
  const tick = () => { if (!video.paused) movePlayhead(); requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  const initial = new URLSearchParams(window.location.search).get("lang");
  setLanguage(initial === "zh" ? "zh" : "en");
  loadExamples();
}

init();
