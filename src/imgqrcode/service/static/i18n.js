// Every string the page shows, in both languages, in one table: a translator edits
// this file only, and a missing key shows up as the key itself rather than as nothing.

const STRINGS = {
  en: {
    page_title: "imgqrcode debug tool",
    heading: "imgqrcode debug tool",
    subtitle: "Read QR codes and barcodes from an image and see exactly what the API answers.",
    lang_toggle: "中文",
    lang_toggle_label: "切换到中文 (switch to Chinese)",
    server_version: "server {version}",
    auth_heading: "Credentials",
    auth_off: "This server runs without authentication: no access token is needed.",
    auth_help:
      "Enter an app's appid and secret (the server prints them on its first start; " +
      "“imgqrcode app add” makes more), or paste an access token. " +
      "The token is kept only in this tab's session storage.",
    appid: "appid",
    secret: "secret",
    token: "access_token",
    token_placeholder: "paste a token instead of appid + secret",
    get_token: "Get token",
    forget_token: "Forget",
    token_none: "No token yet.",
    token_held: "Using token {token}",
    token_held_expiry: "Using token {token}, valid until {time}",
    token_fetching: "Getting a token…",
    token_needs_credentials: "Enter appid and secret to get a token.",
    image_heading: "Image",
    drop_zone: "Drop an image here, paste one (Ctrl+V), or click to choose a file",
    drop_zone_hint: "JPEG, PNG, GIF, BMP, TIFF, WebP · up to {size}",
    url_label: "…or the address of an image (the server downloads it)",
    url_placeholder: "https://example.com/photo.jpg",
    url_submit: "Read URL",
    detail_option: "Ask for detail (detail=1)",
    shrink_option: "Shrink an image over the size limit before sending it",
    status_idle: "Ready: choose an image.",
    status_sending: "Reading {name}…",
    status_found_none: "No code found ({ms} ms).",
    status_found_one: "Found 1 code ({ms} ms).",
    status_found_many: "Found {n} codes ({ms} ms).",
    status_error: "Error {code} ({ms} ms).",
    shrunk_note:
      "{name} is {size}, over the server's {limit} limit: sent a {sent} JPEG copy " +
      "of {w}×{h} pixels instead.",
    result_heading: "Result",
    round_trip: "Round trip {ms} ms · HTTP {status} · image {w}×{h} px",
    round_trip_error: "Round trip {ms} ms · HTTP {status}",
    server_time: " · {ms} ms in the server",
    codes_heading: "Codes",
    codes_none: "No code was found in this image.",
    field_text: "Text",
    field_corners: "Corners (x, y)",
    field_detail: "Detail",
    corner_left_top: "left top",
    corner_right_top: "right top",
    corner_right_bottom: "right bottom",
    corner_left_bottom: "left bottom",
    copy: "Copy",
    copied: "Copied",
    copy_failed: "Select and copy by hand",
    copy_text_label: "Copy the text of code {n}",
    json_heading: "Response JSON",
    curl_heading: "The same request with curl",
    copy_curl: "Copy as curl",
    curl_shrunk_note: "# the page sent a shrunk copy of this file; the original is over the limit",
    curl_file_placeholder: "FILE",
    image_alt: "The image that was read",
    image_unavailable:
      "The browser cannot load this image itself; the codes are drawn on a blank frame " +
      "of the image's size.",
    image_not_loaded:
      "The server downloaded this image; the page does not load it itself, so the codes " +
      "are drawn on a blank frame of the image's size.",
    image_turned:
      "The browser shows this image turned otherwise than the server read it (its EXIF " +
      "orientation), so the codes are drawn on a blank frame of the size the server read.",
    shrink_failed:
      "The browser could not make a copy of {name} under the {limit} limit (it cannot " +
      "decode it, or no copy was small enough), so it was sent as it is.",
    overlay_label: "Code {n}: {type}",
    error_heading: "Error {code}",
    network_error: "Could not reach the server: {message}",
    not_json: "The server answered HTTP {status} with something that is not JSON.",
    "errcode_-1": "Unexpected server error; the rid identifies it in the server's log.",
    errcode_40001: "The access token is unknown or superseded: get a new one.",
    errcode_40002: "Wrong grant_type.",
    errcode_40009: "The image is larger than the server accepts.",
    errcode_40013: "There is no app with this appid.",
    errcode_40125: "The secret is wrong for this appid.",
    errcode_41001: "An access token is needed: enter appid and secret above.",
    errcode_41002: "The appid is missing.",
    errcode_41004: "The secret is missing.",
    errcode_41005: "The request carried no image (or the file was empty).",
    errcode_42001: "The access token has expired: get a new one.",
    errcode_45009: "This app has used up its daily quota.",
    errcode_45011: "Too many requests this minute: slow down.",
    errcode_101000:
      "The server could not fetch that address (bad scheme, forbidden or unreachable host, " +
      "HTTP error, too large or too slow).",
    errcode_101002: "The bytes are not an image the server can read.",
    footer: "Everything on this page is served by this server; nothing is loaded from elsewhere.",
  },
  zh: {
    page_title: "imgqrcode 调试工具",
    heading: "imgqrcode 调试工具",
    subtitle: "识别图片中的二维码和条码，查看接口返回的完整结果。",
    lang_toggle: "English",
    lang_toggle_label: "Switch to English (切换到英文)",
    server_version: "服务器版本 {version}",
    auth_heading: "凭据",
    auth_off: "此服务器未启用鉴权，无需 access_token。",
    auth_help:
      "填写应用的 appid 和 secret（服务器首次启动时会打印出来；用 “imgqrcode app add” 可以创建更多），或直接粘贴 access_token。" +
      "token 只保存在本标签页的会话存储中。",
    appid: "appid",
    secret: "secret",
    token: "access_token",
    token_placeholder: "也可直接粘贴 token，无需 appid 和 secret",
    get_token: "获取 token",
    forget_token: "清除",
    token_none: "尚未获取 token。",
    token_held: "正在使用 token {token}",
    token_held_expiry: "正在使用 token {token}，有效期至 {time}",
    token_fetching: "正在获取 token……",
    token_needs_credentials: "请填写 appid 和 secret 以获取 token。",
    image_heading: "图片",
    drop_zone: "将图片拖到这里、粘贴（Ctrl+V），或点击选择文件",
    drop_zone_hint: "支持 JPEG、PNG、GIF、BMP、TIFF、WebP · 最大 {size}",
    url_label: "……或填写图片地址（由服务器下载）",
    url_placeholder: "https://example.com/photo.jpg",
    url_submit: "识别地址",
    detail_option: "返回详细信息（detail=1）",
    shrink_option: "图片超过大小限制时先缩小再上传",
    status_idle: "就绪：请选择一张图片。",
    status_sending: "正在识别 {name}……",
    status_found_none: "未识别到码（{ms} 毫秒）。",
    status_found_one: "识别到 1 个码（{ms} 毫秒）。",
    status_found_many: "识别到 {n} 个码（{ms} 毫秒）。",
    status_error: "错误 {code}（{ms} 毫秒）。",
    shrunk_note:
      "{name} 大小为 {size}，超过服务器的 {limit} 限制：已改为上传 {w}×{h} 像素、{sent} 的 JPEG 副本。",
    result_heading: "结果",
    round_trip: "往返耗时 {ms} 毫秒 · HTTP {status} · 图片 {w}×{h} 像素",
    round_trip_error: "往返耗时 {ms} 毫秒 · HTTP {status}",
    server_time: " · 服务器处理 {ms} 毫秒",
    codes_heading: "识别到的码",
    codes_none: "这张图片中没有识别到码。",
    field_text: "内容",
    field_corners: "角点坐标 (x, y)",
    field_detail: "详细信息",
    corner_left_top: "左上",
    corner_right_top: "右上",
    corner_right_bottom: "右下",
    corner_left_bottom: "左下",
    copy: "复制",
    copied: "已复制",
    copy_failed: "请手动选中复制",
    copy_text_label: "复制第 {n} 个码的内容",
    json_heading: "接口返回的 JSON",
    curl_heading: "用 curl 发送同样的请求",
    copy_curl: "复制为 curl 命令",
    curl_shrunk_note: "# 页面上传的是此文件的缩小副本；原文件超过大小限制",
    curl_file_placeholder: "文件",
    image_alt: "被识别的图片",
    image_unavailable: "浏览器无法直接加载这张图片；码的位置画在与图片同样大小的空白区域上。",
    image_not_loaded: "图片由服务器下载，页面本身不加载它；码的位置画在与图片同样大小的空白区域上。",
    image_turned:
      "浏览器显示这张图片的方向与服务器读取时不同（EXIF 方向）；码的位置画在与服务器读取尺寸相同的空白区域上。",
    shrink_failed: "浏览器无法为 {name} 生成小于 {limit} 的副本（无法解码，或副本仍然太大），因此按原样发送。",
    overlay_label: "第 {n} 个码：{type}",
    error_heading: "错误 {code}",
    network_error: "无法连接服务器：{message}",
    not_json: "服务器返回了 HTTP {status}，但内容不是 JSON。",
    "errcode_-1": "服务器内部错误；可用 rid 在服务器日志中查找。",
    errcode_40001: "access_token 无效或已被替换，请重新获取。",
    errcode_40002: "grant_type 不正确。",
    errcode_40009: "图片超过服务器允许的大小。",
    errcode_40013: "不存在此 appid 的应用。",
    errcode_40125: "secret 与 appid 不匹配。",
    errcode_41001: "需要 access_token：请在上方填写 appid 和 secret。",
    errcode_41002: "缺少 appid。",
    errcode_41004: "缺少 secret。",
    errcode_41005: "请求中没有图片（或文件是空的）。",
    errcode_42001: "access_token 已过期，请重新获取。",
    errcode_45009: "此应用今日的调用次数已用完。",
    errcode_45011: "本分钟内请求过多，请稍后再试。",
    errcode_101000:
      "服务器无法下载该地址（协议不支持、主机被禁止或无法访问、HTTP 错误、文件过大或超时）。",
    errcode_101002: "这些数据不是服务器能识别的图片。",
    footer: "本页面的所有内容都由此服务器提供，不从其他地方加载任何资源。",
  },
};

const LANGUAGE_KEY = "imgqrcode.language";
const LANGUAGE_TAGS = { en: "en", zh: "zh-CN" };

/** The language a visitor chose before, else the browser's own: Chinese for any zh-*. */
function initialLanguage() {
  const chosen = localStorage.getItem(LANGUAGE_KEY);
  if (chosen in STRINGS) return chosen;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (primary in STRINGS) return primary;
  }
  return "en";
}

let language = initialLanguage();

export function currentLanguage() {
  return language;
}

/** The string for `key` in the current language with `{name}` placeholders filled in. */
export function t(key, values = {}) {
  const template = STRINGS[language][key] ?? STRINGS.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (match, name) =>
    name in values ? String(values[name]) : match,
  );
}

/** The hint for an errcode, or "" for codes the table does not explain. */
export function errcodeHint(code) {
  const key = `errcode_${code}`;
  return key in STRINGS[language] ? t(key) : "";
}

/**
 * Fills every element marked up for translation: `data-i18n` names the key for its text,
 * `data-i18n-attrs` lists `attribute:key` pairs (placeholder, aria-label, title...).
 */
export function translate(root) {
  document.documentElement.lang = LANGUAGE_TAGS[language];
  document.title = t("page_title");
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll("[data-i18n-attrs]")) {
    for (const pair of element.dataset.i18nAttrs.split(/\s+/)) {
      const [attribute, key] = pair.split(":");
      element.setAttribute(attribute, t(key));
    }
  }
}

/** Switches to the other language and remembers the choice for the next visit. */
export function toggleLanguage() {
  language = language === "zh" ? "en" : "zh";
  localStorage.setItem(LANGUAGE_KEY, language);
}

/** A byte count the way people read it: 812 KB, 2 MB, 5.3 MB. */
export function formatBytes(bytes) {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const megabytes = bytes / (1024 * 1024);
  return `${Number.isInteger(megabytes) ? megabytes : megabytes.toFixed(1)} MB`;
}
