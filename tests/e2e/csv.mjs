// Reading the CSV files the site writes, as pandas and Python would: RFC 4180
// records, Python float spellings, f64s compared bit for bit.
import assert from "node:assert/strict";
import fs from "node:fs";

/** RFC 4180 records; a final CRLF ends the last record, it does not start one. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(field); field = ""; }
    else if (c === "\r" && text[i + 1] === "\n") { row.push(field); rows.push(row); row = []; field = ""; i++; }
    else field += c;
  }
  if (field !== "" || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** A cell as Python's float() / pandas reads it. */
export function pyFloat(cell) {
  if (cell === "nan") return NaN;
  if (cell === "inf") return Infinity;
  if (cell === "-inf") return -Infinity;
  assert.match(cell, /^-?(\d+\.\d+|\d+(\.\d+)?e[+-]\d+)$/, `a Python float repr: ${cell}`);
  return Number(cell);
}

export const bits = (x) => {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString("hex");
};
/** The same f64: equal bits (-0 is not 0), or both NaN. */
export function sameF64(got, want, what) {
  if (Number.isNaN(want)) assert.ok(Number.isNaN(got), `${what}: ${got} is not NaN`);
  else assert.equal(bits(got), bits(want), `${what}: ${got} != ${want}`);
}

/** Clicks `button` and parses the file it downloads: `{name, rows}`. */
export async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent("download"), button.click()]);
  return { name: file.suggestedFilename(), rows: parseCsv(fs.readFileSync(await file.path(), "utf8")) };
}
