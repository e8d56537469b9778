// Every text the UI shows goes through t(): Spanish first, English second.
// Code-list labels and validation messages come from Rust (one source for both).
import { es } from "./messages/es";
import { en } from "./messages/en";

export type Lang = "es" | "en";
export type Key = keyof typeof es;

const catalogs: Record<Lang, Record<Key, string>> = { es, en };

export const i18n = $state({ lang: "es" as Lang });

/// `t("today.households", { n: 1 })`: a message with two forms "one|other" picks by `n`
/// (the language's plural rule), so no screen says "1 hogares".
export function t(key: Key, vars: Record<string, string | number | null | undefined> = {}): string {
  let text = catalogs[i18n.lang][key] ?? es[key] ?? key;
  if (text.includes("|")) {
    const [one, other] = text.split("|");
    const n = Number(vars.n);
    text = Number.isFinite(n) && new Intl.PluralRules(i18n.lang === "en" ? "en" : "es-PE").select(n) === "one" ? one : other;
  }
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, v == null ? "—" : String(v));
  return text;
}
