// The debug page: takes an image (drop, picker, paste or address), sends it to the
// reading endpoint and shows what came back, drawn on the image. All state that the
// language switch has to re-render lives in `state`, so rendering is a function of it.

import { fetchInfo, readCodes, requestToken, tokenStore } from "./api.js";
import { curlCommand } from "./curl.js";
import { errcodeHint, formatBytes, t, toggleLanguage, translate } from "./i18n.js";
import { CORNERS, drawCodes, highlightCode } from "./overlay.js";
import { shrinkToFit } from "./shrink.js";

const DEFAULT_LIMIT = 2 * 1024 * 1024;
const COPIED_FOR_MS = 1500;

const element = (id) => document.getElementById(id);

const state = {
  info: { auth_required: false, max_image_bytes: DEFAULT_LIMIT, version: "" },
  status: ["status_idle", {}],
  // A message about the token that replaces the usual one, as a function so that it
  // follows a language switch.
  tokenMessage: null,
  // The last reading: what was asked, what was sent, and the server's answer.
  reading: null,
  imageLoaded: false,
  ticket: 0,
  // A reading is on its way: the page shows the last one, and says that it waits.
  busy: false,
  // What the page last wrote into the token field: anything else there was typed.
  shownToken: "",
};

/* ---------- small helpers ---------- */

function show(id, visible) {
  element(id).hidden = !visible;
}

function setStatus(key, values = {}) {
  state.status = [key, values];
  element("status").textContent = t(key, values);
}

function shortToken(token) {
  return token.length > 14 ? `${token.slice(0, 6)}…${token.slice(-4)}` : token;
}

/** Copies `text`, falling back to a selection where the Clipboard API is not allowed. */
async function copyText(text, button) {
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch (error) {
      if (!(error instanceof DOMException)) throw error;
    }
  }
  if (!copied) {
    const scratch = document.createElement("textarea");
    scratch.value = text;
    scratch.setAttribute("readonly", "");
    scratch.className = "scratch";
    document.body.append(scratch);
    scratch.select();
    copied = document.execCommand("copy");
    scratch.remove();
  }
  const labelKey = button.dataset.i18n;
  button.textContent = t(copied ? "copied" : "copy_failed");
  setTimeout(() => {
    button.textContent = t(labelKey);
  }, COPIED_FOR_MS);
}

/**
 * Text as it would print, with control characters (a GS1 group separator, say) made
 * visible as their Unicode control pictures; copying still gives the exact data.
 */
function visibleText(text) {
  const fragment = document.createDocumentFragment();
  const control = /^[\u0000-\u0008\u000b-\u001f\u007f]$/u;
  for (const part of text.split(/([\u0000-\u0008\u000b-\u001f\u007f])/u)) {
    if (!part) continue;
    const code = part.codePointAt(0);
    if (control.test(part)) {
      const glyph = document.createElement("span");
      glyph.className = "control";
      glyph.textContent = String.fromCodePoint(code === 0x7f ? 0x2421 : 0x2400 + code);
      glyph.title = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
      fragment.append(glyph);
    } else {
      fragment.append(part);
    }
  }
  return fragment;
}

/* ---------- credentials ---------- */

function credentials() {
  if (!state.info.auth_required) return null;
  return { appid: element("appid").value.trim(), secret: element("secret").value };
}

function renderToken() {
  const held = tokenStore.get();
  state.shownToken = held?.token ?? "";
  element("token").value = state.shownToken;
  let message;
  if (state.tokenMessage) {
    message = state.tokenMessage();
  } else if (!held) {
    message = t("token_none");
  } else if (held.expiresAt) {
    const time = new Date(held.expiresAt).toLocaleTimeString(document.documentElement.lang);
    message = t("token_held_expiry", { token: shortToken(held.token), time });
  } else {
    message = t("token_held", { token: shortToken(held.token) });
  }
  element("token-status").textContent = message;
}

async function onGetToken(event) {
  event.preventDefault();
  const { appid, secret } = credentials();
  if (!appid || !secret) {
    state.tokenMessage = () => t("token_needs_credentials");
    renderToken();
    return;
  }
  state.tokenMessage = () => t("token_fetching");
  renderToken();
  const answer = await requestToken(appid, secret, false);
  const body = answer.body;
  if (body?.access_token) {
    state.tokenMessage = null;
  } else if (body?.errcode !== undefined) {
    state.tokenMessage = () =>
      `${t("error_heading", { code: body.errcode })}: ${body.errmsg} ${errcodeHint(body.errcode)}`;
  } else {
    state.tokenMessage = () => t("network_error", { message: answer.failure ?? answer.status });
  }
  renderToken();
}

function onTokenTyped() {
  const token = element("token").value.trim();
  if (token) tokenStore.set(token, null);
  else tokenStore.clear();
  state.tokenMessage = null;
  renderToken();
}

/** A token pasted into its field counts even if the field has not lost focus yet (an
 * image dropped or pasted straight after): it is what the person sees there. Not the
 * one the page wrote there itself, which may have expired since. */
function takeTypedToken() {
  if (element("token").value.trim() !== state.shownToken) onTokenTyped();
}

function onForgetToken() {
  tokenStore.clear();
  element("secret").value = "";
  state.tokenMessage = null;
  renderToken();
}

/* ---------- reading ---------- */

/**
 * Reads one source: {blob, name} for a file, {url} for an address. Answers to older
 * requests that arrive late are dropped, so the page always shows the last one asked.
 */
async function read(source) {
  state.ticket += 1;
  const ticket = state.ticket;
  state.busy = true;
  document.body.dataset.state = "busy";
  document.body.dataset.ticket = String(ticket);
  takeTypedToken();
  setStatus("status_sending", { name: source.name ?? source.url });
  let upload = source;
  let shrunk = null;
  const limit = state.info.max_image_bytes;
  const tooLarge = Boolean(source.blob) && element("shrink").checked && source.blob.size > limit;
  if (tooLarge) {
    shrunk = await shrinkToFit(source.blob, limit);
    if (shrunk) upload = { blob: shrunk.blob, name: source.name.replace(/(\.[^.]*)?$/, ".jpg") };
  }
  const answer = await readCodes(upload, {
    detail: element("detail").checked,
    credentials: credentials(),
  });
  if (ticket !== state.ticket) return;
  state.busy = false;
  state.reading = { source, upload, shrunk, shrinkFailed: tooLarge && !shrunk, answer };
  showImage(upload);
  renderReading();
  renderOutcome();
  renderToken();
}

/**
 * Shows the image that was sent. An address is not loaded by the page: the server
 * downloaded it, and the person's browser is not to reach hosts on its behalf (with
 * its cookies, from its network), nor to show a picture other than the one read.
 */
function showImage(upload) {
  const image = element("image");
  if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
  state.imageLoaded = false;
  element("overlay").replaceChildren();
  show("blank", false);
  show("image-note", false);
  if (!upload.blob) {
    image.removeAttribute("src");
    showBlank("image_not_loaded");
    return;
  }
  image.hidden = false;
  image.src = URL.createObjectURL(upload.blob);
}

function onImageLoaded() {
  const size = state.reading?.answer.body?.img_size;
  const image = element("image");
  // The browser turned the image otherwise than the server read it (an EXIF orientation
  // that one applies and the other does not: Chromium's WebP): its boxes would miss.
  if (size && (image.naturalWidth !== size.w || image.naturalHeight !== size.h)) {
    showBlank("image_turned");
    return;
  }
  state.imageLoaded = true;
  drawOverlay();
}

/** The browser cannot show this image (a TIFF, say): draw on a blank. */
function onImageFailed() {
  if (element("image").getAttribute("src")) showBlank("image_unavailable");
}

/** Draws the codes on a blank frame of the image's size, with the note `noteKey` says why. */
function showBlank(noteKey) {
  const size = state.reading?.answer.body?.img_size;
  element("image").hidden = true;
  if (!size) return;
  const blank = element("blank");
  blank.style.aspectRatio = `${size.w} / ${size.h}`;
  blank.hidden = false;
  const note = element("image-note");
  note.dataset.i18n = noteKey;
  note.textContent = t(noteKey);
  note.hidden = false;
  state.imageLoaded = true;
  drawOverlay();
}

function drawOverlay() {
  const body = state.reading?.answer.body;
  if (!state.imageLoaded || !body?.code_results || !body.img_size) return;
  const frame = element("image").hidden ? element("blank") : element("image");
  const { width, height } = frame.getBoundingClientRect();
  if (!width || !height) return;
  const overlay = element("overlay");
  // Laid exactly over the picture, whatever room the stage around it takes.
  Object.assign(overlay.style, {
    left: `${frame.offsetLeft}px`,
    top: `${frame.offsetTop}px`,
    width: `${width}px`,
    height: `${height}px`,
  });
  drawCodes(overlay, body.code_results, body.img_size, { width, height }, (index, code) =>
    t("overlay_label", { n: index + 1, type: code.type_name }),
  );
  if (!state.busy) document.body.dataset.state = "drawn";
}

/** The last reading's panels: codes, JSON, error, notes, curl (not the status line). */
function renderReading() {
  const { answer, source, shrunk, shrinkFailed } = state.reading;
  const body = answer.body;
  const success = body?.errcode === 0;
  show("result", true);
  show("reading", success);
  element("json").textContent = body ? JSON.stringify(body, null, 2) : (answer.text ?? "");
  const roundTrip =
    success && body.img_size
      ? t("round_trip", { ms: answer.ms, status: answer.status, ...body.img_size })
      : t("round_trip_error", { ms: answer.ms, status: answer.status });
  const serverMs = body?.timings_ms?.total;
  element("round-trip").textContent =
    serverMs === undefined ? roundTrip : roundTrip + t("server_time", { ms: Math.round(serverMs) });
  renderError(answer);
  renderShrunkNote(source, shrunk, shrinkFailed);
  renderCurl();
  if (success) renderCodes(body.code_results);
}

/** The status line and the page's state for the last reading, once it has landed. */
function renderOutcome() {
  const { answer } = state.reading;
  const body = answer.body;
  if (body?.errcode === 0) {
    const count = body.code_results.length;
    const key = ["status_found_none", "status_found_one"][count] ?? "status_found_many";
    setStatus(key, { n: count, ms: answer.ms });
    document.body.dataset.state = "done";
    drawOverlay();
  } else {
    if (answer.failure !== undefined) setStatus("network_error", { message: answer.failure });
    else setStatus("status_error", { code: body?.errcode ?? answer.status, ms: answer.ms });
    document.body.dataset.state = "error";
  }
}

function renderError(answer) {
  const body = answer.body;
  let title = null;
  let message = "";
  let hint = "";
  if (answer.failure !== undefined) {
    title = t("network_error", { message: answer.failure });
  } else if (!body) {
    title = t("not_json", { status: answer.status });
    message = answer.text ?? "";
  } else if (body.errcode !== 0) {
    title = t("error_heading", { code: body.errcode });
    message = body.errmsg ?? "";
    hint = errcodeHint(body.errcode);
  }
  show("error", title !== null);
  element("error").dataset.errcode = body?.errcode ?? "";
  element("error-title").textContent = title ?? "";
  element("error-message").textContent = message;
  element("error-hint").textContent = hint;
}

function renderShrunkNote(source, shrunk, shrinkFailed) {
  show("shrunk-note", shrunk !== null || shrinkFailed);
  if (shrinkFailed) {
    element("shrunk-note").textContent = t("shrink_failed", {
      name: source.name,
      limit: formatBytes(state.info.max_image_bytes),
    });
    return;
  }
  if (!shrunk) return;
  element("shrunk-note").textContent = t("shrunk_note", {
    name: source.name,
    size: formatBytes(source.blob.size),
    limit: formatBytes(state.info.max_image_bytes),
    sent: formatBytes(shrunk.blob.size),
    w: shrunk.width,
    h: shrunk.height,
  });
}

function renderCurl() {
  const { answer, source, shrunk } = state.reading;
  const fileName = source.blob ? source.name || t("curl_file_placeholder") : null;
  const command = curlCommand(answer.url, fileName);
  element("curl").textContent = shrunk ? `${t("curl_shrunk_note")}\n${command}` : command;
  element("curl").dataset.command = command;
}

function renderCodes(codes) {
  const list = element("codes");
  list.replaceChildren();
  show("codes-none", codes.length === 0);
  codes.forEach((code, index) => list.append(codeItem(code, index)));
}

/** A term and its description in a code's <dl>; returns the description to fill. */
function addRow(list, termKey, className) {
  const term = document.createElement("dt");
  term.textContent = t(termKey);
  const description = document.createElement("dd");
  description.className = className;
  list.append(term, description);
  return description;
}

/** Short monospace items side by side ("left top (12, 34)", "ec_level: M"). */
function fillPairs(description, pairs) {
  for (const text of pairs) {
    const pair = document.createElement("span");
    pair.textContent = text;
    description.append(pair);
  }
}

function codeItem(code, index) {
  const item = document.createElement("li");
  item.className = "code-item";
  item.dataset.index = String(index);
  const head = document.createElement("div");
  head.className = "code-head";
  head.innerHTML = '<span class="code-number"></span><span class="code-type"></span>';
  head.querySelector(".code-number").textContent = String(index + 1);
  head.querySelector(".code-type").textContent = code.type_name;
  const list = document.createElement("dl");
  item.append(head, list);

  const textRow = addRow(list, "field_text", "code-text-row");
  const text = document.createElement("pre");
  text.className = "code-text";
  text.dataset.text = code.data;
  text.append(visibleText(code.data));
  const copy = document.createElement("button");
  copy.type = "button";
  copy.className = "button secondary copy";
  copy.dataset.i18n = "copy";
  copy.textContent = t("copy");
  copy.setAttribute("aria-label", t("copy_text_label", { n: index + 1 }));
  copy.addEventListener("click", () => copyText(code.data, copy));
  textRow.append(text, copy);

  if (code.pos) {
    fillPairs(
      addRow(list, "field_corners", "pairs"),
      CORNERS.map((c) => `${t(`corner_${c}`)} (${code.pos[c].x}, ${code.pos[c].y})`),
    );
  }
  if (code.detail) {
    fillPairs(
      addRow(list, "field_detail", "pairs"),
      Object.entries(code.detail).map(([name, value]) => `${name}: ${value}`),
    );
  }

  const point = () => highlightCode(element("overlay"), index);
  const unpoint = () => highlightCode(element("overlay"), null);
  item.addEventListener("mouseenter", point);
  item.addEventListener("mouseleave", unpoint);
  item.addEventListener("focusin", point);
  item.addEventListener("focusout", unpoint);
  return item;
}

/* ---------- inputs ---------- */

function readFile(file) {
  if (file) read({ blob: file, name: file.name || "image" });
}

function isTextField(target) {
  return target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement;
}

function carriesFiles(event) {
  return [...event.dataTransfer.types].includes("Files");
}

function onDrop(event) {
  element("drop-zone").classList.remove("dragging");
  // Text dropped into a field is the field's business.
  if (isTextField(event.target) && !carriesFiles(event)) return;
  event.preventDefault();
  const transfer = event.dataTransfer;
  if (transfer.files.length) {
    readFile(transfer.files[0]);
    return;
  }
  // An image dragged from another page arrives as its address.
  const address = transfer
    .getData("text/uri-list")
    .split(/\r?\n/)
    .find((line) => line && !line.startsWith("#"));
  if (address) {
    element("url").value = address;
    read({ url: address });
  }
}

function onDragOver(event) {
  if (isTextField(event.target) && !carriesFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "copy";
  element("drop-zone").classList.add("dragging");
}

/** Pasting an image anywhere reads it; pasting an address outside a text field reads that. */
function onPaste(event) {
  const items = [...(event.clipboardData?.items ?? [])];
  const image = items.find((item) => item.kind === "file" && item.type.startsWith("image/"));
  if (image) {
    event.preventDefault();
    const file = image.getAsFile();
    readFile(file);
    return;
  }
  const typing = isTextField(event.target);
  const text = event.clipboardData?.getData("text/plain").trim() ?? "";
  if (!typing && /^https?:\/\/\S+$/i.test(text)) {
    event.preventDefault();
    element("url").value = text;
    read({ url: text });
  }
}

function onUrlSubmit(event) {
  event.preventDefault();
  const url = element("url").value.trim();
  if (url) read({ url });
}

/* ---------- page ---------- */

function renderAll() {
  translate(document);
  element("version").textContent = state.info.version
    ? t("server_version", { version: state.info.version })
    : "";
  element("drop-hint").textContent = t("drop_zone_hint", {
    size: formatBytes(state.info.max_image_bytes),
  });
  element("status").textContent = t(...state.status);
  renderToken();
  if (state.reading) {
    renderReading();
    // While the next reading is on its way, the status line keeps saying so.
    if (!state.busy) renderOutcome();
    else drawOverlay();
  }
}

function wire() {
  element("language").addEventListener("click", () => {
    toggleLanguage();
    renderAll();
  });
  const dropZone = element("drop-zone");
  const fileInput = element("file");
  dropZone.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    readFile(fileInput.files[0]);
    fileInput.value = "";
  });
  // The whole page takes a drop: a file let go beside the zone must not replace the page.
  document.addEventListener("dragover", onDragOver);
  document.addEventListener("dragleave", (event) => {
    if (!event.relatedTarget) dropZone.classList.remove("dragging");
  });
  document.addEventListener("drop", onDrop);
  document.addEventListener("paste", onPaste);
  element("url-form").addEventListener("submit", onUrlSubmit);
  element("token-form").addEventListener("submit", onGetToken);
  element("token").addEventListener("change", onTokenTyped);
  element("forget-token").addEventListener("click", onForgetToken);
  element("copy-curl").addEventListener("click", (event) =>
    copyText(element("curl").dataset.command, event.currentTarget),
  );
  const image = element("image");
  image.addEventListener("load", onImageLoaded);
  image.addEventListener("error", onImageFailed);
  new ResizeObserver(drawOverlay).observe(element("stage"));
}

async function start() {
  wire();
  renderAll();
  state.info = (await fetchInfo()) ?? { ...state.info, auth_required: true };
  show("auth", state.info.auth_required);
  show("auth-off", !state.info.auth_required);
  renderAll();
  document.body.dataset.state = "ready";
}

start();
