// The temperature chart: inline SVG drawn here (no library), with the allowed window and breaches marked.
import { formatTime } from "./common.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 300;
const MARGIN = { top: 14, right: 16, bottom: 40, left: 52 };

function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

/** A reading's value in °C: the logged value when the store has it, else the anchored tenths. */
export function readingValue(point) {
  return point.reading.value ?? (point.reading.low_tenths / 10).toFixed(1);
}

function niceStep(span) {
  for (const step of [0.5, 1, 2, 5, 10, 20, 50]) if (span / step <= 7) return step;
  return 100;
}

function extent(numbers, low, high) {
  let min = low;
  let max = high;
  for (const value of numbers) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

export function temperatureChart(points, window, description) {
  const low = window.min_tenths / 10;
  const high = window.max_tenths / 10;
  const values = points.map((point) => Number(readingValue(point)));
  const times = points.map((point) => point.reading.start_ms);
  // Loops, not Math.max(...values): spreading a long array into arguments overflows the call stack.
  const [vLow, vHigh] = extent(values, low, high);
  const step = niceStep(vHigh - vLow + 2);
  const yMin = Math.floor((vLow - 1) / step) * step;
  const yMax = Math.ceil((vHigh + 1) / step) * step;
  let [tMin, tMax] = extent(times, Infinity, -Infinity);
  if (tMin === tMax) {
    tMin -= 3_600_000;
    tMax += 3_600_000;
  }
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms) => MARGIN.left + ((ms - tMin) / (tMax - tMin)) * plotWidth;
  const y = (celsius) => MARGIN.top + ((yMax - celsius) / (yMax - yMin)) * plotHeight;

  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": description, id: "temperature-chart" });
  chart.append(svg("title", {}, description));

  for (let value = yMin; value <= yMax + 1e-9; value += step) {
    chart.append(svg("line", { class: "grid", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(value), y2: y(value) }));
    chart.append(svg("text", { class: "tick", x: MARGIN.left - 6, y: y(value) + 4, "text-anchor": "end" }, `${value.toFixed(step < 1 ? 1 : 0)}°`));
  }
  chart.append(
    svg("rect", { class: "band", "data-window": `${low}:${high}`, x: MARGIN.left, width: plotWidth, y: y(high), height: y(low) - y(high) }),
    svg("line", { class: "limit", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(high), y2: y(high) }),
    svg("line", { class: "limit", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(low), y2: y(low) }),
    svg("line", { class: "axis", x1: MARGIN.left, x2: MARGIN.left, y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom }),
    svg("line", { class: "axis", x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom }),
  );
  for (const [anchor, ms] of [["start", tMin], ["end", tMax]]) {
    chart.append(svg("text", { class: "tick", x: x(ms), y: HEIGHT - MARGIN.bottom + 18, "text-anchor": anchor }, formatTime(ms / 1000)));
  }

  // One line per anchored event (a leg, a stay in store); readings of different legs are not joined.
  const legs = new Map();
  points.forEach((point, i) => {
    const key = point.event_hash;
    if (!legs.has(key)) legs.set(key, []);
    legs.get(key).push([x(times[i]), y(values[i])]);
  });
  for (const coordinates of legs.values()) {
    if (coordinates.length > 1) {
      coordinates.sort((a, b) => a[0] - b[0]);
      chart.append(svg("polyline", { class: "leg", points: coordinates.map((c) => c.join(",")).join(" ") }));
    }
  }
  points.forEach((point, i) => {
    const cx = x(times[i]);
    const cy = y(values[i]);
    const label = `${formatTime(times[i] / 1000)}: ${values[i].toFixed(1)} °C · ${point.lot}`;
    const mark = point.within
      ? svg("circle", { class: "point", cx, cy, r: 3.5 })
      : svg("path", { class: "breach", d: `M${cx} ${cy - 7}L${cx + 7} ${cy}L${cx} ${cy + 7}L${cx - 7} ${cy}Z`, "data-breach": "" });
    mark.append(svg("title", {}, label));
    chart.append(mark);
  });
  return chart;
}
