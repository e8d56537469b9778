// App-wide state: the current screen, app info, code lists and the sync status.
import { commands, events } from "./bindings";
import type { AppInfo, CodeOption, HouseholdId, MemberId, SyncStatus, UiError, VisitId } from "./bindings";
import { i18n, say, t } from "./i18n.svelte";

export type Route =
  | { name: "today" }
  | { name: "households" }
  | { name: "household"; id: HouseholdId }
  | { name: "new-household" }
  | { name: "edit-household"; id: HouseholdId }
  | { name: "member"; household: HouseholdId; member: MemberId | null }
  | { name: "visit"; household: HouseholdId; correcting?: VisitId }
  | { name: "delivery"; household: HouseholdId; member: MemberId }
  | { name: "sync" }
  | { name: "settings" }
  | { name: "facility" }
  | { name: "export" }
  | { name: "report" };

export const app = $state({
  route: { name: "today" } as Route,
  info: null as AppInfo | null,
  codes: {} as Partial<Record<string, CodeOption[]>>,
  sync: null as SyncStatus | null,
  /// Bumped when sync brings in records, so open screens reload.
  dataVersion: 0,
  toast: "" as string,
  /// A step just taken that can be taken back for a few seconds ("Acudió" by mistake).
  undo: null as { text: string; run: () => Promise<void> } | null,
});

/// Says what was done, with a "Deshacer" button for 8 seconds.
export function offerUndo(text: string, run: () => Promise<void>) {
  const offer = { text, run };
  app.undo = offer;
  setTimeout(() => {
    if (app.undo === offer) app.undo = null;
  }, 8000);
}

export function go(route: Route) {
  app.route = route;
  window.scrollTo(0, 0);
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: UiError };

/// Unwraps a command result: the value, or throws the UiError (field + code + message).
export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (r.status === "error") throw r.error;
  return r.data;
}

export function isUiError(e: unknown): e is UiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

export function message(e: UiError): string {
  return say(e.message);
}

/// An answer of a code list in words (`code-<list>-<code>` in the catalogue).
export function label(list: string, code: string | null | undefined): string {
  if (!code) return "—";
  return t(`code-${list}-${code}`);
}

export function toast(text: string) {
  app.toast = text;
  setTimeout(() => {
    if (app.toast === text) app.toast = "";
  }, 2500);
}

export async function start() {
  app.info = await call(commands.appInfo());
  i18n.lang = app.info.lang ?? "es";
  // A committee device has one screen of its own: the health post's indicators.
  if (app.info.role === "committee") app.route = { name: "report" };
  app.codes = await call(commands.codeLists());
  app.sync = await call(commands.syncStatus());
  await events.syncChanged.listen((e) => {
    const before = app.sync;
    app.sync = e.payload;
    if (e.payload.received > 0 && (before?.received !== e.payload.received || before?.phase !== e.payload.phase)) {
      app.dataVersion++;
    }
  });
}
