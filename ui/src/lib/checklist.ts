// The child-health and antenatal checklists as the wizard holds them, and as Rust reads them.
// Answers are kept by question path ("diarrhoea", "diarrhoea.ors"); `null` means the
// promotora has not touched the question yet (sent as "not_asked", but the wizard asks
// for it before moving on). Which questions apply comes from Rust (`visit_form`).
import type {
  Answer, AntenatalCheck_Deserialize, AntenatalCheck_Serialize, ChildCheck_Deserialize, ChildCheck_Serialize, Gated,
} from "../bindings";
import { numberOrText } from "../format";

export type Answers = Record<string, Answer | null>;

export type ChildDraft = {
  answers: Answers;
  weight: string;
  height: string;
  position: string | null;
  /// A referral for a reason other than the signs (those write their own).
  other_referral: boolean;
  referral_reason: string;
};

export type AntenatalDraft = {
  answers: Answers;
  weeks: string;
  other_referral: boolean;
  referral_reason: string;
};

export function emptyChild(position: string): ChildDraft {
  return { answers: {}, weight: "", height: "", position, other_referral: false, referral_reason: "" };
}

export function emptyAntenatal(weeks: number | null): AntenatalDraft {
  return { answers: {}, weeks: weeks == null ? "" : String(weeks), other_referral: false, referral_reason: "" };
}

const sent = (a: Answer | null | undefined): Answer => a ?? "not_asked";

/// A question that opens others: its answer, and theirs only when it is "yes".
function gated<T>(answers: Answers, key: string, opened: readonly string[]): Gated<T> {
  const answer = sent(answers[key]);
  if (answer !== "yes") return { answer } as Gated<T>;
  const group: Record<string, Answer> = {};
  for (const q of opened) group[q] = sent(answers[`${key}.${q}`]);
  return { answer: "yes", ...group } as Gated<T>;
}

const CHILD_GATES = {
  danger_signs: ["unable_to_drink", "vomits_everything", "convulsions", "lethargic"],
  cough: ["fast_breathing", "chest_indrawing"],
  diarrhoea: ["ors", "zinc"],
} as const;

const PREGNANCY_SIGNS = ["bleeding", "severe_headache", "swelling", "fever", "reduced_fetal_movement", "waters_broken"] as const;

// Every field of the checklist, so a field added in Rust fails here until it is asked.
// `measured: false` leaves the typed numbers out (the form's skip logic does not need them,
// and a half-typed weight must not hide the questions).
export function toChildCheck(d: ChildDraft, measured = true): Required<ChildCheck_Deserialize> {
  const a = d.answers;
  const height = measured ? numberOrText(d.height) : null;
  return {
    vaccination_card_seen: sent(a.vaccination_card_seen),
    vaccines_up_to_date: sent(a.vaccines_up_to_date),
    growth_check_up_to_date: sent(a.growth_check_up_to_date),
    weight_kg: measured ? (numberOrText(d.weight) as number | null) : null,
    length: height === null ? null : { cm: height as number, position: d.position as string },
    diarrhoea: gated(a, "diarrhoea", CHILD_GATES.diarrhoea),
    cough: gated(a, "cough", CHILD_GATES.cough),
    danger_signs: gated(a, "danger_signs", CHILD_GATES.danger_signs),
    fever: sent(a.fever),
    referral: measured && d.other_referral ? { reason: d.referral_reason, attended_on: null } : null,
    breastfeeding: sent(a.breastfeeding),
    iron: sent(a.iron),
    vitamin_a: sent(a.vitamin_a),
  };
}

export function toAntenatal(d: AntenatalDraft, measured = true): Required<AntenatalCheck_Deserialize> {
  const a = d.answers;
  return {
    anc_card_seen: sent(a.anc_card_seen),
    anc_up_to_date: sent(a.anc_up_to_date),
    gestational_weeks: measured ? (numberOrText(d.weeks) as number | null) : null,
    iron_folic_acid: sent(a.iron_folic_acid),
    danger_signs: gated(a, "danger_signs", PREGNANCY_SIGNS),
    referral: measured && d.other_referral ? { reason: d.referral_reason, attended_on: null } : null,
  };
}

/// A saved check back into the wizard's answers (to correct a visit): each question by its
/// path, a gate's group under the gate's path. "not_asked" stays "not_asked" (an answer).
function answersOf(check: Record<string, unknown>, gates: Record<string, readonly string[]>): Answers {
  const out: Answers = {};
  for (const [key, value] of Object.entries(check)) {
    if (typeof value === "string" && (value === "yes" || value === "no" || value === "not_asked")) out[key] = value;
    else if (key in gates && value && typeof value === "object") {
      const g = value as Record<string, Answer>;
      out[key] = g.answer;
      if (g.answer === "yes") for (const q of gates[key]) out[`${key}.${q}`] = g[q] ?? "not_asked";
    }
  }
  return out;
}

const text = (n: number | null | undefined) => (n == null ? "" : String(n).replace(".", ","));

/// `automatic`: the referral the signs would write (from `visit_form`); a saved referral with
/// that reason is the signs' own, not one added by hand.
export function fromChildCheck(c: ChildCheck_Serialize, automatic: string | null): ChildDraft {
  const byHand = c.referral != null && c.referral.reason !== automatic;
  return {
    answers: answersOf(c as unknown as Record<string, unknown>, CHILD_GATES),
    weight: text(c.weight_kg),
    height: text(c.length?.cm),
    position: c.length?.position ?? null,
    other_referral: byHand,
    referral_reason: byHand ? (c.referral?.reason ?? "") : "",
  };
}

export function fromAntenatal(c: AntenatalCheck_Serialize, automatic: string | null): AntenatalDraft {
  const byHand = c.referral != null && c.referral.reason !== automatic;
  return {
    answers: answersOf(c as unknown as Record<string, unknown>, { danger_signs: PREGNANCY_SIGNS }),
    weeks: c.gestational_weeks == null ? "" : String(c.gestational_weeks),
    other_referral: byHand,
    referral_reason: byHand ? (c.referral?.reason ?? "") : "",
  };
}
