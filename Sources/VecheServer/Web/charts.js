// Inline SVG charts built with the DOM: turnout against the quorum line, and one stacked
// bar per agenda item with its threshold marked. Geometry uses integer per-mille values
// computed exactly from the fraction strings; every chart carries a text alternative.
import { scaled, decimal2, percent2, ru, THRESHOLD_LINES, THRESHOLDS, MARKS } from "./format.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320;
const LEFT = 8;
const BAR = WIDTH - 2 * LEFT;

function el(doc, name, attrs = {}, text) {
  const node = doc.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function x(perMille) {
  return LEFT + Math.floor((perMille * BAR) / 1000);
}

/** Multiplies a fraction string by a share string ("1/2" × "2469/20"), exactly. */
function times(amount, shareText) {
  const [ap, aq = "1"] = amount.split("/");
  const [sp, sq = "1"] = shareText.split("/");
  const p = BigInt(ap) * BigInt(sp);
  const q = BigInt(aq) * BigInt(sq);
  return `${p}/${q}`;
}

function figure(doc, id, svg, caption) {
  const fig = doc.createElement("figure");
  fig.className = "chart";
  if (id) fig.id = id;
  fig.append(svg);
  const cap = doc.createElement("figcaption");
  for (const line of caption) {
    const p = doc.createElement("p");
    p.textContent = line;
    cap.append(p);
  }
  fig.append(cap);
  return fig;
}

/** Participating votes against total, with the quorum line at `required` (a share string). */
export function turnoutChart(doc, { participating, total, required, reached }, id = "turnout-chart") {
  const fill = scaled(participating, total, 1000);
  const line = scaled(times(total, required), total, 1000);
  const label = `Участвуют ${ru(decimal2(participating))} из ${ru(decimal2(total))}\u00a0м² (${ru(percent2(participating, total))}\u00a0%); ` +
    `кворум — больше ${ru(percent2(times(total, required), total))}\u00a0% всех голосов: ${reached ? "есть" : "нет"}.`;
  const svg = el(doc, "svg", { viewBox: `0 0 ${WIDTH} 56`, role: "img", "aria-label": label, class: "chart-svg" });
  svg.append(el(doc, "title", {}, label));
  svg.append(el(doc, "rect", { x: LEFT, y: 12, width: BAR, height: 28, class: "bar-bg" }));
  svg.append(el(doc, "rect", { x: LEFT, y: 12, width: x(fill) - LEFT, height: 28, class: reached ? "bar-ok" : "bar-progress", "data-permille": fill }));
  svg.append(el(doc, "line", { x1: x(line), x2: x(line), y1: 4, y2: 48, class: "threshold", "data-permille": line }));
  svg.append(el(doc, "text", { x: Math.min(x(line) + 3, WIDTH - 60), y: 54, class: "chart-label" }, "кворум"));
  return figure(doc, id, svg, [label]);
}

const SEGMENTS = [
  ["for", "seg-for", MARKS.for],
  ["against", "seg-against", MARKS.against],
  ["abstain", "seg-abstain", MARKS.abstain],
  ["invalid", "seg-invalid", "Недействительно"],
  ["blank", "seg-blank", "Не отмечено"],
];

/** One agenda item's stacked bar over its threshold's base, with the threshold line. */
export function itemChart(doc, item, { total, participating }, title = "") {
  const rule = THRESHOLD_LINES[item.threshold] ?? THRESHOLD_LINES["participants-majority"];
  const base = rule.base === "total" ? total : participating;
  const baseName = rule.base === "total" ? "всех голосов" : "голосов участников";
  const svg = el(doc, "svg", { viewBox: `0 0 ${WIDTH} 56`, role: "img", class: "chart-svg" });
  let at = 0;
  const lines = [];
  for (const [key, cls, name] of SEGMENTS) {
    const amount = item[key] ?? "0";
    const width = scaled(amount, base, 1000);
    if (width > 0) {
      svg.append(el(doc, "rect", { x: x(at), y: 12, width: Math.max(x(at + width) - x(at), 1), height: 28, class: cls, "data-permille": width }));
    }
    at += width;
    if (key !== "invalid" || amount !== "0") lines.push(`${name}: ${ru(decimal2(amount))}\u00a0м² (${ru(percent2(amount, base))}\u00a0% ${baseName})`);
  }
  const mark = scaled(times(base, rule.share), base, 1000);
  svg.prepend(el(doc, "rect", { x: LEFT, y: 12, width: BAR, height: 28, class: "bar-bg" }));
  svg.append(el(doc, "line", { x1: x(mark), x2: x(mark), y1: 4, y2: 48, class: "threshold", "data-permille": mark }));
  svg.append(el(doc, "text", { x: Math.min(x(mark) + 3, WIDTH - 60), y: 54, class: "chart-label" }, "порог"));
  const verdict = item.adopted ? "Решение принято" : "Решение не принято";
  const label = `${title ? title + ". " : ""}${verdict}. Порог: ${THRESHOLDS[item.threshold] ?? item.threshold}. ${lines.join("; ")}.`;
  svg.setAttribute("aria-label", label);
  svg.prepend(el(doc, "title", {}, label));
  return figure(doc, `item-${item.item}-chart`, svg, [`${verdict}. Порог: ${THRESHOLDS[item.threshold] ?? item.threshold}.`, ...lines]);
}
