// Small pure formatting and parsing for form fields.

/// A number typed by a person ("10,2" or "10.2"); the raw text when it is not a number,
/// so Rust refuses it naming the field.
export function numberOrText(text: string): number | string | null {
  const s = text.trim();
  if (s === "") return null;
  const n = Number(s.replace(",", "."));
  return Number.isFinite(n) ? n : s;
}

export function emptyToNull(text: string): string | null {
  const s = text.trim();
  return s === "" ? null : s;
}

export function fmtDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString(lang === "en" ? "en-GB" : "es-PE", { dateStyle: "medium", timeStyle: "short" });
}

export function fmtDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const [y, m, d] = iso.split("-");
  return `${d}/${m}/${y}`;
}

/// A number as Spanish writes it (decimal comma): "10.4" → "10,4". Typed text stays as typed
/// apart from the separator.
export function fmtNumber(value: string | number | null | undefined, lang = "es"): string {
  if (value == null || value === "") return "—";
  const s = String(value).trim();
  return lang === "en" ? s.replace(",", ".") : s.replace(".", ",");
}
