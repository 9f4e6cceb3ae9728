// Talking to the server: what the page sends, what comes back, and the access token
// the page holds for this tab. Nothing here touches the document.

const TOKEN_KEY = "imgqrcode.token";
// errcodes after which a fresh token may succeed; the same set WeChat's SDKs refresh on.
const REFRESH_ERRCODES = new Set([40001, 40014, 42001]);

/** An address on this server, relative to the page, so a reverse-proxy prefix still works. */
export function serverUrl(path, query = {}) {
  const url = new URL(path, document.baseURI);
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, value);
  }
  return url;
}

/**
 * One request and its answer, timed from sending to the last byte. `body` is the parsed
 * JSON (null when the answer is not JSON); `failure` is the browser's message when the
 * server could not be reached at all.
 */
async function exchange(url, init) {
  const started = performance.now();
  let response;
  let text;
  try {
    response = await fetch(url, { cache: "no-store", ...init });
    text = await response.text();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return { url, status: 0, ms: Math.round(performance.now() - started), failure: error.message };
  }
  const ms = Math.round(performance.now() - started);
  let body = null;
  try {
    body = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  return { url, status: response.status, ms, text, body };
}

/**
 * The server's self-description: whether it wants tokens, its size limit, its version;
 * null from a server without /info (WeChat's own host, say), where tokens are needed.
 */
export async function fetchInfo() {
  const answer = await exchange(serverUrl("info"));
  return typeof answer.body?.auth_required === "boolean" ? answer.body : null;
}

/**
 * The token for this tab, kept in sessionStorage so it dies with the tab; one past its
 * expiry is no token (the server would only answer 42001 to it).
 */
export const tokenStore = {
  get() {
    const saved = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? "null");
    if (saved?.expiresAt && saved.expiresAt <= Date.now()) {
      this.clear();
      return null;
    }
    return saved;
  },
  set(token, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : null;
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, expiresAt }));
  },
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** Asks /cgi-bin/stable_token for the app's token and keeps it when the server gives one. */
export async function requestToken(appid, secret, forceRefresh = false) {
  const answer = await exchange(serverUrl("cgi-bin/stable_token"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      grant_type: "client_credential",
      appid,
      secret,
      force_refresh: forceRefresh,
    }),
  });
  if (answer.body?.access_token) tokenStore.set(answer.body.access_token, answer.body.expires_in);
  return answer;
}

/**
 * Sends one image (a Blob with its file name) or one address to the reading endpoint.
 * `credentials` is null when the server needs no token, else {appid, secret} (either may
 * be empty): the held token is used, fetched first if there is none, and fetched again
 * once when the server says it is stale. Where the token endpoint refuses (a wrong
 * secret, an unknown appid), its answer is the one returned, with the reading request's
 * address: the reading endpoint would only say that no token came with the image.
 */
export async function readCodes(source, { detail, credentials }) {
  const url = () =>
    serverUrl("cv/img/qrcode", {
      access_token: credentials ? tokenStore.get()?.token : null,
      img_url: source.url,
      detail: detail ? "1" : null,
    });
  const send = () => {
    const init = { method: "POST" };
    if (source.blob) {
      init.body = new FormData();
      init.body.append("img", source.blob, source.name);
    }
    return exchange(url(), init);
  };
  const refusal = async () => {
    const answer = await requestToken(credentials.appid, credentials.secret);
    return answer.body?.access_token ? null : { ...answer, url: url() };
  };
  const canFetchToken = credentials?.appid && credentials?.secret;
  if (canFetchToken && !tokenStore.get()) {
    const refused = await refusal();
    if (refused) return refused;
  }
  const first = await send();
  if (!canFetchToken || !REFRESH_ERRCODES.has(first.body?.errcode)) return first;
  tokenStore.clear(); // stale: kept, it would be shown as in use
  return (await refusal()) ?? send();
}
