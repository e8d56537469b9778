// Every text the UI shows goes through t(): Spanish first, English second.
// Code-list labels and validation messages come from Rust (one source for both).
import { es } from "./messages/es";
import { en } from "./messages/en";

export type Lang = "es" | "en";
export type Key = keyof typeof es;

const catalogs: Record<Lang, Record<Key, string>> = { es, en };

export const i18n = $state({ lang: "es" as Lang });

export function t(key: Key, vars: Record<string, string | number | null | undefined> = {}): string {
  let text = catalogs[i18n.lang][key] ?? es[key] ?? key;
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, v == null ? "—" : String(v));
  return text;
}
