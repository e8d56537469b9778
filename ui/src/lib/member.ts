// A member as a form holds it (text fields) and as Rust reads it (the `Member` type).
import type { Member, Member_Serialize } from "../bindings";
import { emptyToNull, fmtDate } from "../format";

export type MemberDraft = {
  given_names: string;
  surnames: string;
  sex: string | null;
  birth_date: string;
  estimated: boolean;
  relationship: string | null;
  dni: string;
  insurance: string | null;
  education: string | null;
  pregnant: boolean;
  expected_delivery: string;
  /// The mother: a member id, or (in a new household) the position of another member.
  mother: string | number | null;
};

/// A woman the form offers as mother: by id in a household, by position in a new one.
export type MotherChoice = { value: string | number; label: string };

export function emptyMember(relationship: string | null = null): MemberDraft {
  return {
    given_names: "",
    surnames: "",
    sex: null,
    birth_date: "",
    estimated: false,
    relationship,
    dni: "",
    insurance: null,
    education: null,
    pregnant: false,
    expected_delivery: "",
    mother: null,
  };
}

export function fromMember(m: Member_Serialize): MemberDraft {
  return {
    given_names: m.given_names,
    surnames: m.surnames,
    sex: m.sex,
    birth_date: fmtDate(m.birth.date),
    estimated: m.birth.estimated,
    relationship: m.relationship,
    dni: m.dni ?? "",
    insurance: m.insurance,
    education: m.education,
    pregnant: m.pregnancy !== null,
    expected_delivery: m.pregnancy ? fmtDate(m.pregnancy.expected_delivery) : "",
    mother: m.mother,
  };
}

/// What Rust parses. Values stay as typed (dates as dd/mm/aaaa): Rust refuses a bad one
/// naming the field.
export function toMember(d: MemberDraft): Member {
  return {
    given_names: d.given_names,
    surnames: d.surnames,
    sex: d.sex as string,
    birth: { date: d.birth_date.trim(), estimated: d.estimated },
    relationship: d.relationship as string,
    dni: emptyToNull(d.dni),
    insurance: d.insurance as string,
    education: d.education,
    pregnancy: d.pregnant ? { expected_delivery: d.expected_delivery.trim() } : null,
    // A position (new household) is read by Rust as such; an id as the member it names.
    mother: d.mother as string | null,
  };
}
