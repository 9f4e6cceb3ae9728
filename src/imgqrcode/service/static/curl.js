// "Copy as curl": the request the page just made, as a command a person can paste into a
// POSIX shell and get the same answer from.

/** `value` as one single-quoted shell word, whatever it contains. */
export function shellQuote(value) {
  return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/**
 * curl's `-F name=@file` splits on `;` and `,`: such a file name has to be written in
 * double quotes, where `"` and `\` are backslash-escaped.
 */
function formFileName(name) {
  if (!/[;,"\\\s]/.test(name)) return name;
  return `"${name.replace(/[\\"]/g, (character) => `\\${character}`)}"`;
}

/**
 * The command for a request sent to `url` (query string included): a multipart upload
 * of `fileName` as the `img` part, or, without a file, a bodiless POST as the page sends
 * for an image address.
 */
export function curlCommand(url, fileName = null) {
  const target = shellQuote(url.toString());
  if (fileName === null) return `curl -sS -X POST ${target}`;
  return `curl -sS -F ${shellQuote(`img=@${formFileName(fileName)}`)} ${target}`;
}
