//! Every change to a household goes through an operation here (create, add or edit a
//! member, record or correct a visit, dissolve), which checks the rules that need context:
//! today's date, the member's birth date, who is in the home.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};

use crate::codes::Sex;
use crate::household::*;
use crate::id::{MemberId, VisitId};
use crate::problem::{FieldError, Problem};
use crate::text::{PersonName, ShortText};

impl Household {
    /// Registers a new household with its first members.
    pub fn create(new: NewHousehold, today: NaiveDate) -> Result<(Household, Vec<MemberId>), FieldError> {
        let mut household = Household {
            schema: SCHEMA_VERSION,
            info: new.info,
            members: BTreeMap::new(),
            visits: BTreeMap::new(),
            dissolved: None,
        };
        let ids: Vec<MemberId> = new.members.iter().map(|_| MemberId::new()).collect();
        for (i, mut member) in new.members.into_iter().enumerate() {
            if let Some(Some(j)) = new.mothers.get(i) {
                member.mother = Some(*ids.get(*j).filter(|_| *j != i).ok_or_else(|| {
                    FieldError::new(format!("members[{i}].mother"), Problem::MotherInvalid)
                })?);
            }
            member
                .check(None, today)
                .map_err(|e| e.under(&format!("members[{i}]")))?;
            household.members.insert(ids[i], member);
        }
        // Mothers are judged once everyone is in (a mother may be listed after her child).
        for (i, id) in ids.iter().enumerate() {
            household
                .check_mother(*id, &household.members[id])
                .map_err(|e| e.under(&format!("members[{i}]")))?;
        }
        Ok((household, ids))
    }

    pub fn is_dissolved(&self) -> bool {
        self.dissolved.is_some()
    }

    /// The visits that count: every one but those voided. Follow-up, growth, projection and
    /// indicators read these; the record keeps all.
    pub fn active_visits(&self) -> impl Iterator<Item = (&VisitId, &Visit)> {
        self.visits.iter().filter(|(_, v)| v.voided.is_none())
    }

    /// Voids a visit recorded by mistake, with why and by whom; it is kept, and counts for
    /// nothing from now on.
    pub fn void_visit(
        &mut self,
        id: VisitId,
        reason: ShortText,
        by: PersonName,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        self.ensure_open()?;
        let visit = self
            .visits
            .get_mut(&id)
            .ok_or_else(|| FieldError::new("visit", Problem::NotFound))?;
        if visit.voided.is_some() {
            return Err(FieldError::new("visit", Problem::VisitVoided));
        }
        visit.voided = Some(Voiding {
            on: today,
            reason,
            by,
        });
        Ok(())
    }

    fn ensure_open(&self) -> Result<(), FieldError> {
        if self.is_dissolved() {
            Err(FieldError::new("", Problem::HouseholdDissolved))
        } else {
            Ok(())
        }
    }

    pub fn set_info(&mut self, info: HouseholdInfo) -> Result<(), FieldError> {
        self.ensure_open()?;
        self.info = info;
        Ok(())
    }

    /// Adds a member under a new id (the caller makes ids, so generated data can be repeatable).
    /// A child's mother must be another member, a woman, at least [`MOTHER_MIN_YEARS`]
    /// older than the child.
    fn check_mother(&self, child: MemberId, member: &Member) -> Result<(), FieldError> {
        let Some(mother_id) = member.mother else {
            return Ok(());
        };
        let mother = self
            .members
            .get(&mother_id)
            .filter(|_| mother_id != child)
            .ok_or_else(|| FieldError::new("mother", Problem::MotherInvalid))?;
        let old_enough = mother
            .birth
            .date
            .checked_add_months(Months::new(MOTHER_MIN_YEARS * 12))
            .is_some_and(|d| d <= member.birth.date);
        if mother.sex != Sex::Female || !old_enough {
            return Err(FieldError::new("mother", Problem::MotherInvalid));
        }
        Ok(())
    }

    pub fn add_member(&mut self, id: MemberId, member: Member, today: NaiveDate) -> Result<(), FieldError> {
        self.ensure_open()?;
        member.check(None, today)?;
        self.check_mother(id, &member)?;
        self.members.insert(id, member);
        Ok(())
    }

    pub fn edit_member(&mut self, id: MemberId, member: Member, today: NaiveDate) -> Result<(), FieldError> {
        self.ensure_open()?;
        let before = self
            .members
            .get(&id)
            .ok_or_else(|| FieldError::new("member", Problem::NotFound))?;
        member.check(Some(before), today)?;
        if before.mother != member.mother || before.birth != member.birth {
            self.check_mother(id, &member)?;
        }
        // A member whose birth date moves must still fit every checklist already recorded.
        let mut trial = self.clone();
        trial.members.insert(id, member.clone());
        for (visit_id, visit) in &self.visits {
            trial
                .check_visit(visit, today, None)
                .map_err(|e| e.under(&format!("visits.{visit_id}")))?;
        }
        self.members.insert(id, member);
        Ok(())
    }

    /// Records a new visit after checking every checklist against the members.
    pub fn record_visit(&mut self, id: VisitId, visit: Visit, today: NaiveDate) -> Result<(), FieldError> {
        self.ensure_open()?;
        if visit.voided.is_some() {
            return Err(FieldError::new("voided", Problem::InvalidFormat));
        }
        self.check_visit(&visit, today, None)?;
        self.visits.insert(id, visit);
        Ok(())
    }

    /// Replaces a recorded visit (to correct it or to confirm a referral was attended).
    pub fn edit_visit(&mut self, id: VisitId, visit: Visit, today: NaiveDate) -> Result<(), FieldError> {
        self.ensure_open()?;
        let before = self
            .visits
            .get(&id)
            .ok_or_else(|| FieldError::new("visit", Problem::NotFound))?;
        if before.voided.is_some() {
            return Err(FieldError::new("visit", Problem::VisitVoided));
        }
        self.check_visit(&visit, today, Some(before))?;
        self.visits.insert(id, visit);
        Ok(())
    }

    /// Corrects the answers of a saved visit (not a voided one). The visit keeps its
    /// promotor; a referral already confirmed as attended stays confirmed; `by` and `today`
    /// are written as the correction.
    pub fn correct_visit(
        &mut self,
        id: VisitId,
        mut visit: Visit,
        by: PersonName,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        let before = self
            .visits
            .get(&id)
            .ok_or_else(|| FieldError::new("visit", Problem::NotFound))?;
        if visit.voided.is_some() {
            return Err(FieldError::new("voided", Problem::InvalidFormat));
        }
        visit.promotor = before.promotor.clone();
        for (member, check) in &mut visit.child_checks {
            let was = before.child_checks.get(member).and_then(|c| c.referral.as_ref());
            keep_attended(check.referral.as_mut(), was);
        }
        for (member, check) in &mut visit.antenatal_checks {
            let was = before
                .antenatal_checks
                .get(member)
                .and_then(|c| c.referral.as_ref());
            keep_attended(check.referral.as_mut(), was);
        }
        visit.corrected = Some(Correction { on: today, by });
        self.edit_visit(id, visit, today)
    }

    /// Records that the family went to the health post for a referral made at a visit.
    pub fn confirm_referral(
        &mut self,
        visit_id: VisitId,
        member: MemberId,
        on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        if on > today {
            return Err(FieldError::new("referral.attended_on", Problem::FutureDate));
        }
        self.set_referral_attended(visit_id, member, Some(on), today)
    }

    /// Takes back an "Acudió" tapped by mistake: the referral is open again.
    pub fn undo_referral_attended(
        &mut self,
        visit_id: VisitId,
        member: MemberId,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        self.set_referral_attended(visit_id, member, None, today)
    }

    fn set_referral_attended(
        &mut self,
        visit_id: VisitId,
        member: MemberId,
        on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<(), FieldError> {
        self.ensure_open()?;
        let mut visit = self
            .visits
            .get(&visit_id)
            .cloned()
            .ok_or_else(|| FieldError::new("visit", Problem::NotFound))?;
        let referral = match visit.child_checks.get_mut(&member) {
            Some(c) => c.referral.as_mut(),
            None => visit
                .antenatal_checks
                .get_mut(&member)
                .and_then(|c| c.referral.as_mut()),
        }
        .ok_or_else(|| FieldError::new("referral", Problem::NotFound))?;
        if on.is_some_and(|on| on < visit.date) {
            return Err(FieldError::new(
                "referral.attended_on",
                Problem::ReferralAttendedBeforeVisit,
            ));
        }
        referral.attended_on = on;
        self.edit_visit(visit_id, visit, today)
    }

    /// What a change arriving from a phone may never do, whatever its fields say: reopen a
    /// dissolved household (an explicit, staff-only operation) or remove a member or a
    /// visit (no operation of Ayllu removes one: they are corrected, not deleted). Checked
    /// by the hub on the merged result, against the household it held before.
    pub fn check_transition(before: &Household, after: &Household) -> Result<(), FieldError> {
        if before.is_dissolved() && !after.is_dissolved() {
            return Err(FieldError::new("dissolved", Problem::ReopenNeedsStaff));
        }
        if let Some(id) = before.members.keys().find(|id| !after.members.contains_key(id)) {
            return Err(FieldError::new(format!("members.{id}"), Problem::RecordRemoved));
        }
        if let Some(id) = before.visits.keys().find(|id| !after.visits.contains_key(id)) {
            return Err(FieldError::new(format!("visits.{id}"), Problem::RecordRemoved));
        }
        Ok(())
    }

    pub fn dissolve(&mut self, dissolution: Dissolution) -> Result<(), FieldError> {
        self.ensure_open()?;
        self.dissolved = Some(dissolution);
        Ok(())
    }

    fn check_visit(&self, visit: &Visit, today: NaiveDate, before: Option<&Visit>) -> Result<(), FieldError> {
        // A past visit stays valid as days pass; only a changed date is judged against today.
        if before.is_none_or(|b| b.date != visit.date) && visit.date > today {
            return Err(FieldError::new("date", Problem::FutureDate));
        }
        for (member_id, check) in &visit.child_checks {
            let at = format!("child_checks.{member_id}");
            let member = self
                .members
                .get(member_id)
                .ok_or_else(|| FieldError::new(&at, Problem::UnknownMember))?;
            if visit.date < member.birth.date {
                return Err(FieldError::new(&at, Problem::BeforeBirth));
            }
            if !member.is_under_five_at(visit.date) {
                return Err(FieldError::new(&at, Problem::NotUnderFive));
            }
            check_referral(check.referral.as_ref(), visit.date).map_err(|e| e.under(&at))?;
        }
        for (member_id, check) in &visit.antenatal_checks {
            let at = format!("antenatal_checks.{member_id}");
            let member = self
                .members
                .get(member_id)
                .ok_or_else(|| FieldError::new(&at, Problem::UnknownMember))?;
            if visit.date < member.birth.date {
                return Err(FieldError::new(&at, Problem::BeforeBirth));
            }
            if member.sex != Sex::Female {
                return Err(FieldError::new(&at, Problem::PregnancyNotFemale));
            }
            // A check already recorded stays valid after the pregnancy ends.
            let recorded_before = before.is_some_and(|b| b.antenatal_checks.contains_key(member_id));
            if member.pregnancy.is_none() && !recorded_before {
                return Err(FieldError::new(&at, Problem::NotPregnant));
            }
            check_referral(check.referral.as_ref(), visit.date).map_err(|e| e.under(&at))?;
        }
        Ok(())
    }
}

/// A referral still made after a correction keeps the confirmation that it was attended.
fn keep_attended(now: Option<&mut Referral>, was: Option<&Referral>) {
    if let (Some(now), Some(was)) = (now, was)
        && now.attended_on.is_none()
    {
        now.attended_on = was.attended_on;
    }
}

fn check_referral(referral: Option<&Referral>, visit_date: NaiveDate) -> Result<(), FieldError> {
    match referral {
        Some(Referral {
            attended_on: Some(on),
            ..
        }) if *on < visit_date => Err(FieldError::new(
            "referral.attended_on",
            Problem::ReferralAttendedBeforeVisit,
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
#[path = "operations_tests.rs"]
pub(crate) mod tests;
