// Draws each code's quadrilateral over the displayed image. The API gives corners in the
// image's own pixels (after EXIF orientation, which the browser applies to <img> too), so
// they are scaled to the size the image is shown at; the SVG keeps those displayed-pixel
// coordinates in its polygons and its data-* attributes so tests can read the drawing.

const SVG_NS = "http://www.w3.org/2000/svg";
export const CORNERS = ["left_top", "right_top", "right_bottom", "left_bottom"];
const BADGE_RADIUS = 11;

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [attribute, value] of Object.entries(attributes)) {
    element.setAttribute(attribute, String(value));
  }
  return element;
}

function round(value) {
  return Math.round(value * 100) / 100;
}

/**
 * Redraws `svg` for `codes` on an image of `imageSize` ({w, h} in image pixels) shown at
 * `displaySize` ({width, height} in CSS pixels). `label(index, code)` names a quad for
 * screen readers. Each quad is numbered at its left_top corner, which shows which way
 * the code faces.
 */
export function drawCodes(svg, codes, imageSize, displaySize, label) {
  const { width, height } = displaySize;
  const scaleX = width / imageSize.w;
  const scaleY = height / imageSize.h;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${round(width)} ${round(height)}`);
  Object.assign(svg.dataset, {
    imageWidth: imageSize.w,
    imageHeight: imageSize.h,
    displayWidth: round(width),
    displayHeight: round(height),
  });
  codes.forEach((code, index) => {
    if (!code.pos) return;
    const points = CORNERS.map((corner) => [
      round(code.pos[corner].x * scaleX),
      round(code.pos[corner].y * scaleY),
    ]);
    const group = svgElement("g", { class: "code", "data-index": index });
    group.append(svgElement("title", {}));
    group.firstChild.textContent = label(index, code);
    group.append(
      svgElement("polygon", {
        class: "quad",
        "data-index": index,
        points: points.map((point) => point.join(",")).join(" "),
      }),
    );
    const [x, y] = points[0];
    group.append(svgElement("circle", { class: "badge", cx: x, cy: y, r: BADGE_RADIUS }));
    const number = svgElement("text", { class: "badge-number", x, y });
    number.textContent = String(index + 1);
    group.append(number);
    svg.append(group);
  });
}

/** Marks quad `index` (or none, for null) as the one the list is pointing at. */
export function highlightCode(svg, index) {
  for (const group of svg.querySelectorAll("g.code")) {
    group.classList.toggle("active", group.dataset.index === String(index));
  }
}
