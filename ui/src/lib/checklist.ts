// The child-health and antenatal checklists as the wizard holds them, and as Rust reads them.
import type { AntenatalCheck_Deserialize, ChildCheck_Deserialize } from "../bindings";
import { numberOrText } from "../format";

export type ChildDraft = {
  vaccination_card_seen: boolean | null;
  vaccines_up_to_date: boolean | null;
  growth_check_up_to_date: boolean | null;
  weight: string;
  height: string;
  position: string | null;
  diarrhoea: boolean | null;
  ors: boolean | null;
  zinc: boolean | null;
  cough: boolean | null;
  fast_breathing: boolean | null;
  chest_indrawing: boolean | null;
  unable_to_drink: boolean | null;
  vomits_everything: boolean | null;
  convulsions: boolean | null;
  lethargic: boolean | null;
  fever: boolean | null;
  referred: boolean | null;
  referral_reason: string;
  breastfeeding: boolean | null;
  iron: boolean | null;
  vitamin_a: boolean | null;
};

/// Children under two are measured lying down (WHO), older ones standing.
export function emptyChild(ageMonths: number): ChildDraft {
  return {
    vaccination_card_seen: null, vaccines_up_to_date: null, growth_check_up_to_date: null,
    weight: "", height: "", position: ageMonths < 24 ? "lying" : "standing",
    diarrhoea: null, ors: null, zinc: null, cough: null, fast_breathing: null, chest_indrawing: null,
    unable_to_drink: null, vomits_everything: null, convulsions: null, lethargic: null, fever: null,
    referred: null, referral_reason: "", breastfeeding: null, iron: null, vitamin_a: null,
  };
}

const yes = (b: boolean | null) => b === true;

// Every field of the checklist, so a field added in Rust fails here until it is asked.
export function toChildCheck(d: ChildDraft): Required<ChildCheck_Deserialize> {
  const height = numberOrText(d.height);
  return {
    vaccination_card_seen: yes(d.vaccination_card_seen),
    vaccines_up_to_date: yes(d.vaccines_up_to_date),
    growth_check_up_to_date: yes(d.growth_check_up_to_date),
    weight_kg: numberOrText(d.weight) as number | null,
    length: height === null ? null : { cm: height as number, position: d.position as string },
    diarrhoea: d.diarrhoea ? { ors: yes(d.ors), zinc: yes(d.zinc) } : null,
    cough: d.cough ? { fast_breathing: yes(d.fast_breathing), chest_indrawing: yes(d.chest_indrawing) } : null,
    danger_signs: {
      unable_to_drink: yes(d.unable_to_drink),
      vomits_everything: yes(d.vomits_everything),
      convulsions: yes(d.convulsions),
      lethargic: yes(d.lethargic),
    },
    fever: yes(d.fever),
    referral: d.referred ? { reason: d.referral_reason, attended_on: null } : null,
    breastfeeding: d.breastfeeding,
    iron: yes(d.iron),
    vitamin_a: yes(d.vitamin_a),
  };
}

export type AntenatalDraft = {
  anc_card_seen: boolean | null;
  anc_up_to_date: boolean | null;
  weeks: string;
  iron_folic_acid: boolean | null;
  bleeding: boolean | null;
  severe_headache: boolean | null;
  swelling: boolean | null;
  fever: boolean | null;
  reduced_fetal_movement: boolean | null;
  waters_broken: boolean | null;
  referred: boolean | null;
  referral_reason: string;
};

export function emptyAntenatal(): AntenatalDraft {
  return {
    anc_card_seen: null, anc_up_to_date: null, weeks: "", iron_folic_acid: null, bleeding: null,
    severe_headache: null, swelling: null, fever: null, reduced_fetal_movement: null, waters_broken: null,
    referred: null, referral_reason: "",
  };
}

export function toAntenatal(d: AntenatalDraft): Required<AntenatalCheck_Deserialize> {
  return {
    anc_card_seen: yes(d.anc_card_seen),
    anc_up_to_date: yes(d.anc_up_to_date),
    gestational_weeks: numberOrText(d.weeks) as number | null,
    iron_folic_acid: yes(d.iron_folic_acid),
    danger_signs: {
      bleeding: yes(d.bleeding),
      severe_headache: yes(d.severe_headache),
      swelling: yes(d.swelling),
      fever: yes(d.fever),
      reduced_fetal_movement: yes(d.reduced_fetal_movement),
      waters_broken: yes(d.waters_broken),
    },
    referral: d.referred ? { reason: d.referral_reason, attended_on: null } : null,
  };
}
