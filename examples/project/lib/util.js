// Pure helpers shared by the entry points (bundled with them: an in-project import).

/** Parses a CSV with a header row of numeric columns into {names, rows}. */
export function parseCsv(text) {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const names = lines[0].split(",").map((s) => s.trim());
  const rows = lines.slice(1).map((l, i) => {
    const cells = l.split(",").map(Number);
    if (cells.length !== names.length || cells.some(Number.isNaN)) {
      throw new Error(`line ${i + 2}: expected ${names.length} numbers, got "${l}"`);
    }
    return cells;
  });
  return { names, rows };
}

/**
 * Fits y = w·x + b by full-batch gradient descent on mean squared error.
 * Calls onEpoch(epoch, loss, w, b) after each update; returns {w, b, loss}.
 */
export function fitLine(xs, ys, { lr, epochs, onEpoch = () => {} }) {
  let w = 0;
  let b = 0;
  const n = xs.length;
  const mse = () => xs.reduce((s, x, i) => s + (w * x + b - ys[i]) ** 2, 0) / n;
  for (let epoch = 0; epoch < epochs; epoch++) {
    let gw = 0;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const e = w * xs[i] + b - ys[i];
      gw += (2 * e * xs[i]) / n;
      gb += (2 * e) / n;
    }
    w -= lr * gw;
    b -= lr * gb;
    onEpoch(epoch, mse(), w, b);
  }
  return { w, b, loss: mse() };
}

/** Scales xs to [0, 1] so one learning rate suits any data; returns {scaled, min, span}. */
export function minMax(xs) {
  const min = Math.min(...xs);
  const span = Math.max(...xs) - min || 1;
  return { scaled: xs.map((x) => (x - min) / span), min, span };
}
