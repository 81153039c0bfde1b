/**
 * Sortable tables, as progressive enhancement: every `table[data-sortable]` header cell with a
 * `data-sort-type` ("number" | "text") gets a button; activating it sorts the body rows by that
 * column's `data-sort` values and sets `aria-sort`. Empty values stay last in either direction.
 * Without this script the table keeps its published order and stays fully readable.
 */

type Direction = "ascending" | "descending";

function cellValue(row: HTMLTableRowElement, column: number): string {
  const cell = row.cells[column];
  return cell?.dataset.sort ?? cell?.textContent?.trim() ?? "";
}

function sortRows(table: HTMLTableElement, column: number, type: string, direction: Direction): void {
  const body = table.tBodies[0];
  if (!body) return;
  const sign = direction === "ascending" ? 1 : -1;
  const rows = [...body.rows].map((row, index) => ({ row, index, value: cellValue(row, column) }));
  rows.sort((a, b) => {
    if (a.value === "" || b.value === "") return (a.value === "" ? 1 : 0) - (b.value === "" ? 1 : 0) || a.index - b.index;
    const order = type === "number" ? Number(a.value) - Number(b.value) : a.value.localeCompare(b.value, "en", { numeric: true });
    return sign * order || a.index - b.index;
  });
  body.append(...rows.map((r) => r.row));
}

function enhance(table: HTMLTableElement): void {
  const header = table.tHead?.rows[0];
  if (!header) return;
  const cells = [...header.cells];
  cells.forEach((th, column) => {
    const type = th.dataset.sortType;
    if (!type) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    button.append(...th.childNodes);
    const arrow = document.createElement("span");
    arrow.className = "sort-arrow";
    arrow.setAttribute("aria-hidden", "true");
    button.append(arrow);
    th.append(button);
    button.addEventListener("click", () => {
      const current = th.getAttribute("aria-sort");
      const first: Direction = type === "number" && th.dataset.sortFirst !== "ascending" ? "descending" : "ascending";
      const direction: Direction = current === first ? (first === "ascending" ? "descending" : "ascending") : first;
      for (const other of cells) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", direction);
      sortRows(table, column, type, direction);
    });
  });
  table.classList.add("is-sortable");
}

for (const table of document.querySelectorAll<HTMLTableElement>("table[data-sortable]")) enhance(table);
