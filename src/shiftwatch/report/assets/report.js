// Sort a table by the column whose header button was clicked: numbers by their exact value
// (the cell's data-value), text by its text; empty values last in both directions.
"use strict";

(function () {
  function cellValue(row, index, numeric) {
    const cell = row.cells[index];
    const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
    if (!numeric) return raw.toLowerCase();
    return raw === "" ? null : Number(raw);
  }

  function compare(a, b, numeric) {
    if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
    if (numeric) return a - b;
    return a.localeCompare(b);
  }

  function sortBy(table, header, index) {
    const numeric = header.dataset.type === "number";
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    for (const other of table.tHead.rows[0].cells) other.setAttribute("aria-sort", "none");
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).map((row) => [row, cellValue(row, index, numeric)]);
    rows.sort(([, a], [, b]) => {
      if (a === null || b === null) return compare(a, b, numeric);
      return ascending ? compare(a, b, numeric) : compare(b, a, numeric);
    });
    body.append(...rows.map(([row]) => row));
  }

  for (const table of document.querySelectorAll("table.sortable")) {
    Array.from(table.tHead.rows[0].cells).forEach((header, index) => {
      const button = header.querySelector("button");
      if (button) button.addEventListener("click", () => sortBy(table, header, index));
    });
  }
})();
