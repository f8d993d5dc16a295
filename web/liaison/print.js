// The printout of one tip: a print-only sheet (hidden on screen; print.css shows it, and only it, when printing)
// marked "MẬT — tài liệu nội bộ" at the top and bottom of every page (a table's header and footer rows repeat on
// each printed page), then who printed it and when (Viet Nam time), the case's state and the tip's fields
// (the one field list, ./tip-fields.js; every word from ./i18n.js, whose coded values and terms come from
// src/cases/labels.ts, the same the exports write). Text is set as text, never as HTML.
//
//   import { printSheet } from './print.js';
//   printSheet(state.case, state.me);   // then the browser's print dialog
import { TIP_FIELDS } from './tip-fields.js';
import { TERMS } from './labels.js';
import { t, tOr, getLang } from './i18n.js';

export const SHEET_ID = 'print-sheet';
/** On <body> while a sheet is there: print.css then prints the sheet instead of the page. */
export const PRINTING_CLASS = 'printing-sheet';

const pad = (n) => String(n).padStart(2, '0');
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** "01/12/2026 08:30": an instant in Viet Nam time (UTC+7 all year, no daylight saving), whatever the computer's zone. */
export function vnDateTime(at) {
  const d = new Date(new Date(at).getTime() + 7 * 3_600_000);
  if (Number.isNaN(d.getTime())) return String(at ?? '');
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** A field's value as officers read it: a coded value by its label, a day as dd/mm/yyyy, text as it is. */
function fieldText(def, v) {
  if (v === undefined || v === null || v === '') return null;
  const day = typeof v === 'string' ? DAY.exec(v) : null;
  if (day) return `${day[3]}/${day[2]}/${day[1]}`;
  return def.valueKey === undefined ? String(v) : tOr(`${def.valueKey}${v}`, String(v));
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function list(rows) {
  const dl = el('dl', 'print-fields');
  for (const [label, value] of rows) {
    if (value === null || value === undefined || value === '') continue;
    dl.append(el('dt', '', label), el('dd', '', String(value)));
  }
  return dl;
}

/** The marking: always in Vietnamese (the office's own classification), the English after it on an English page. */
const marking = () => (getLang() === 'vi' ? TERMS.marking.vi : `${TERMS.marking.vi} · ${TERMS.marking.en}`);

/** Removes the sheet (after printing, or before a new one). */
export function removeSheet() {
  document.getElementById(SHEET_ID)?.remove();
  document.body.classList.remove(PRINTING_CLASS);
}

/**
 * Builds the sheet for a case (the GET /cases/:id view) and the officer printing it ({ displayName, username }),
 * puts it in the page, and opens the print dialog; the sheet is removed after printing. Returns the sheet.
 * `opts.print: false` builds it without printing (tests); `opts.now`: the printing time (a Date).
 */
export function printSheet(caseView, officer, opts = {}) {
  removeSheet();
  const c = caseView;
  const mark = marking();
  const when = vnDateTime(opts.now ?? new Date());
  const who = officer?.displayName || officer?.username || '';

  const sheet = el('div', 'print-sheet');
  sheet.id = SHEET_ID;
  sheet.setAttribute('aria-hidden', 'true');
  const frame = el('table', 'print-frame');
  const head = el('thead');
  const headCell = el('td');
  headCell.append(el('div', 'print-mark', mark));
  head.append(el('tr'));
  head.firstChild.append(headCell);
  const foot = el('tfoot');
  const footCell = el('td');
  footCell.append(el('div', 'print-mark print-mark-foot', mark));
  foot.append(el('tr'));
  foot.firstChild.append(footCell);

  const body = el('tbody');
  const cell = el('td', 'print-body');
  cell.append(
    el('p', 'print-by', `${t('printedBy')}: ${who} · ${when} (${t('vnTime')})`),
    el('h1', 'print-title', `${t('ref')} ${c.ref}`),
    list([
      [t('status'), tOr(`s_${c.status}`, c.status)],
      [t('priority'), tOr(`p_${c.priority}`, c.priority)],
      [t('createdAt'), vnDateTime(c.createdAt)],
      [t('updatedAt'), vnDateTime(c.updatedAt)],
      [t('assignedTo'), c.assignedTo ? (c.assignedTo.displayName || c.assignedTo.username) : null],
      [t('disposition'), c.disposition ? tOr(`d_${c.disposition}`, c.disposition) : null],
    ]),
    el('h2', 'print-heading', t('fields')),
    list(TIP_FIELDS.map((d) => [t(d.name), fieldText(d, c.fields?.[d.name])])),
  );
  body.append(el('tr'));
  body.firstChild.append(cell);

  frame.append(head, foot, body);
  sheet.append(frame);
  document.body.append(sheet);
  document.body.classList.add(PRINTING_CLASS);
  if (opts.print !== false) {
    window.addEventListener('afterprint', removeSheet, { once: true });
    window.print();
  }
  return sheet;
}
