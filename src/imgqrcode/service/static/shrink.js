// Phone photos are often larger than the API's upload limit (2 MB like WeChat's). Rather
// than make a person resize by hand, the page can send a smaller JPEG copy: drawn upright
// (createImageBitmap applies the EXIF orientation), so the server sees what the person sees.

const MAX_SIDE = 4096;
const ATTEMPTS = 6;

/**
 * A JPEG copy of `blob` no larger than `limit` bytes, as {blob, width, height}, or null
 * when the browser cannot decode it (the server will then say why) or no copy fits.
 */
export async function shrinkToFit(blob, limit) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch (error) {
    if (error instanceof DOMException) return null;
    throw error;
  }
  let scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext("2d");
    // JPEG has no transparency: a transparent background would turn black, under black
    // ink. White, as the server composites it.
    context.fillStyle = "#fff";
    context.fillRect(0, 0, width, height);
    context.drawImage(bitmap, 0, 0, width, height);
    const copy = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.9 });
    if (copy.size <= limit) {
      bitmap.close();
      return { blob: copy, width, height };
    }
    // JPEG size grows roughly with the pixel count: aim a little under the limit.
    scale *= Math.sqrt(limit / copy.size) * 0.9;
  }
  bitmap.close();
  return null;
}
