// Every text the UI shows comes from the one message catalogue, in Fluent:
// crates/ayllu-words/locales/<language>/*.ftl, the same files Rust reads. Plural and gender
// forms are selectors in the files. Adding a language is adding a folder there: it is
// found here (and in Rust) with no code naming it. Spanish is the source and the fallback.
import { FluentBundle, FluentNumber, FluentResource, type FluentVariable } from "@fluent/bundle";
import type { Message } from "./bindings";

const files = import.meta.glob("../../crates/ayllu-words/locales/*/*.ftl", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

function bundles(): Map<string, FluentBundle> {
  const out = new Map<string, FluentBundle>();
  for (const [path, source] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    const parts = path.split("/");
    const lang = parts[parts.length - 2];
    let bundle = out.get(lang);
    if (!bundle) {
      // Left-to-right languages only: no invisible isolation marks around values.
      bundle = new FluentBundle(lang === "es" ? "es-PE" : lang, { useIsolating: false });
      out.set(lang, bundle);
    }
    const errors = bundle.addResource(new FluentResource(source));
    if (errors.length > 0) console.error(`catalogue ${path}:`, errors);
  }
  return out;
}

const catalogue = bundles();

/// The languages the catalogue has, each with its own name ("Español"), Spanish first.
export const languages: { tag: string; name: string }[] = [...catalogue.keys()]
  .sort((a, b) => (a === "es" ? -1 : b === "es" ? 1 : a.localeCompare(b)))
  .map((tag) => ({ tag, name: format(tag, "language-name", {}) ?? tag }));

export type Lang = string;
export const i18n = $state({ lang: "es" as Lang });

type Vars = Record<string, string | number | null | undefined>;

function format(lang: string, id: string, vars: Vars): string | null {
  const bundle = catalogue.get(lang);
  const message = bundle?.getMessage(id);
  if (!bundle || !message?.value) return null;
  const args: Record<string, FluentVariable> = {};
  // Numbers pick plural forms; written as typed (no thousands separator: "1250 hogares").
  for (const [k, v] of Object.entries(vars)) args[k] = v == null ? "—" : typeof v === "number" ? new FluentNumber(v, { useGrouping: false }) : v;
  return bundle.formatPattern(message.value, args);
}

/// `t("today.households", { n: 1 })`: the message in the app's language (Spanish when that
/// language lacks it). Ids are written with dots here for reading; in the files a dot is a
/// dash ("today-households"), as Fluent ids have no dots.
export function t(id: string, vars: Vars = {}): string {
  const key = id.replaceAll(".", "-");
  return format(i18n.lang, key, vars) ?? format("es", key, vars) ?? key;
}

/// A message Rust returned (a refusal, a sync failure), in the app's language.
export function say(m: Message): string {
  return t(m.id, m.args as Vars);
}
