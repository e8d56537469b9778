# Words Rust says (refusals, code lists, growth, follow-up). The code is the contract;
# these are for people. Ids: problem-<code>, code-<list>-<code>, rule-<code>-reason.

## What is wrong with an input (shown beside its field)
problem-required = is required and empty
problem-too_long = is too long
problem-control_character = contains control characters
problem-invalid_character = contains characters a name cannot have
problem-invalid_date = is not a valid date (day/month/year, for example 26/11/2026)
problem-future_date = is in the future
problem-too_old = is too far in the past
problem-dni_format = must be exactly 8 digits
problem-weight_out_of_range = is outside what a child can weigh (0.5 to 40 kg)
problem-height_out_of_range = is outside what a child can measure (38 to 130 cm)
problem-latitude_out_of_range = must be between -90 and 90 degrees
problem-longitude_out_of_range = must be between -180 and 180 degrees
problem-rooms_out_of_range = must be between 1 and 30
problem-age_out_of_range = must be between 0 and 120 years
problem-age_months_out_of_range = must be between 0 and 120 months
problem-age_days_out_of_range = must be between 0 and 1826 days (under 60 months)
problem-year_out_of_range = must be a year from 2000 to the current one
problem-gestation_out_of_range = must be between 4 and 44 weeks
problem-pin_format = must be exactly 6 digits
problem-passphrase_too_short = must have at least 10 characters
problem-pin_mismatch = is not the same as the PIN above
problem-pin_already_set = a PIN is already set: type it to enter
problem-staff_passphrase_wrong = is not the staff passphrase
problem-not_under_five = the child checklist is only for children under five at the visit date
problem-before_birth = the visit is dated before this person was born
problem-unknown_member = is not a member of this household
problem-not_pregnant = this person has no pregnancy recorded
problem-pregnancy_not_female = a pregnancy can only be recorded for a woman
problem-pregnancy_age = the age is not compatible with a pregnancy (10 to 55 years)
problem-delivery_out_of_range = the expected delivery date must be between 2 months ago and 10 months ahead
problem-referral_attended_before_visit = the referral cannot be attended before the visit
problem-unknown_code = is not one of the listed values
problem-missing_field = this field is missing
problem-unknown_field = is not a known field
problem-invalid_format = has an invalid format
problem-household_dissolved = the household was dissolved and cannot be changed
problem-days_out_of_range = must be between 1 and 90 days
problem-outside_device_scope = this community is not among those the health post assigned to this phone
problem-reopen_needs_staff = only facility staff can reopen a dissolved household
problem-record_removed = a recorded member or visit cannot be removed
problem-hub_address = type the hub's address, for example https://192.168.1.20:8470
problem-enrollment_code = type the enrollment code the health post gave you
problem-code_without_fingerprint = the code is incomplete: it is 7 groups of 4 letters and digits (the last 4 groups prove it is your health post)
problem-plain_http = this address is not secure (http://): use the https:// address the health post shows
problem-port_out_of_range = must be a number between 1024 and 65535
problem-not_found = does not exist
problem-unanswered = needs an answer
problem-visit_voided = this visit was voided and can no longer be changed
problem-mother_invalid = the mother must be a woman of this household, at least 10 years older

## Code list: sex
code-sex-F = Female
code-sex-M = Male

## Code list: relationship
code-relationship-head = Head of household
code-relationship-spouse = Spouse or partner
code-relationship-child = Son or daughter
code-relationship-child_in_law = Son- or daughter-in-law
code-relationship-grandchild = Grandchild
code-relationship-parent = Parent or parent-in-law
code-relationship-sibling = Brother or sister
code-relationship-other_relative = Other relative
code-relationship-non_relative = Not related

## Code list: insurance
code-insurance-sis = SIS (public insurance)
code-insurance-essalud = EsSalud (employee insurance)
code-insurance-other = Other (armed forces, private)
code-insurance-none = Uninsured
code-insurance-unknown = Don't know

## Code list: education
code-education-none = No schooling
code-education-initial = Pre-school
code-education-primary_incomplete = Primary, incomplete
code-education-primary_complete = Primary, complete
code-education-secondary_incomplete = Secondary, incomplete
code-education-secondary_complete = Secondary, complete
code-education-higher = Higher (technical or university)
code-education-unknown = Don't know

## Code list: water
code-water-piped_inside = Piped into the dwelling
code-water-piped_outside = Piped to yard or plot
code-water-public_tap = Public tap or standpipe
code-water-well = Well
code-water-truck = Tanker truck
code-water-surface = River, canal or spring
code-water-other = Other

## Code list: sanitation
code-sanitation-sewer_inside = Sewer connection inside the dwelling
code-sanitation-sewer_outside = Sewer connection outside the dwelling
code-sanitation-septic_tank = Septic tank or biodigester
code-sanitation-latrine = Pit latrine
code-sanitation-river = River or canal
code-sanitation-open_field = Open field, none
code-sanitation-other = Other

## Code list: floor
code-floor-earth = Earth
code-floor-cement = Cement
code-floor-wood = Wood planks
code-floor-tiles = Tiles or parquet
code-floor-other = Other

## Code list: walls
code-walls-brick = Brick or cement block
code-walls-adobe = Adobe or rammed earth
code-walls-wood = Wood
code-walls-quincha = Wattle and daub
code-walls-stone = Stone with mud
code-walls-mat = Reed mat
code-walls-other = Other

## Code list: cooking_fuel
code-cooking_fuel-gas = Gas (LPG or natural)
code-cooking_fuel-electricity = Electricity
code-cooking_fuel-wood = Firewood
code-cooking_fuel-dung = Dung
code-cooking_fuel-charcoal = Charcoal
code-cooking_fuel-kerosene = Kerosene
code-cooking_fuel-no_cooking = No cooking
code-cooking_fuel-other = Other

## Code list: position
code-position-lying = Lying (length)
code-position-standing = Standing (height)

## Code list: delivery_place
code-delivery_place-facility = At a health facility
code-delivery_place-home = At home
code-delivery_place-on_the_way = On the way
code-delivery_place-other = Elsewhere

## Growth: growth_flag
code-growth_flag-age_out_of_range = Age outside 0–59 months: no scores
code-growth_flag-standing_before_9_months = Measured standing before 9 months: taken as position unknown, not corrected
code-growth_flag-standing_before_day_731 = Measured standing before age 2: 0.7 cm added
code-growth_flag-lying_from_day_731 = Measured lying from age 2: 0.7 cm subtracted
code-growth_flag-outside_weight_for_length_range = Length/height outside the weight-for-length/height table: no score
code-growth_flag-implausible = Implausible value: check the measurement

## Growth: growth_class
code-growth_class-severe_stunting = Severe stunting
code-growth_class-stunting = Stunting
code-growth_class-underweight = Underweight
code-growth_class-severe_wasting = Severe wasting
code-growth_class-wasting = Wasting
code-growth_class-overweight = Overweight

## Follow-up rules: a title, and the reason shown to the promotora
code-due_rule-danger_sign_referral = Urgent referral
rule-danger_sign_referral-reason = General danger sign: urgent referral to the health post
code-due_rule-severe_wasting_referral = Urgent referral: wasting
rule-severe_wasting_referral-reason = Severe wasting (weight-for-length < −3 SD): urgent referral
code-due_rule-pneumonia_referral = Refer today: pneumonia
rule-pneumonia_referral-reason = Cough with fast breathing or chest indrawing: refer to the health post now
code-due_rule-pregnancy_danger_sign_referral = Urgent referral: pregnancy
rule-pregnancy_danger_sign_referral-reason = Pregnancy danger sign: urgent referral to the health post
code-due_rule-pneumonia_recheck = See again: cough
rule-pneumonia_recheck-reason = Cough with fast breathing or chest indrawing: see again after 2 days
code-due_rule-diarrhoea_recheck = See again: diarrhoea
rule-diarrhoea_recheck-reason = Diarrhoea: see again after 2 days (ORS, zinc, signs of dehydration)
code-due_rule-referral_not_confirmed = Confirm referral
rule-referral_not_confirmed-reason = Referral not confirmed: ask whether they went to the health post
code-due_rule-antenatal_care_behind = Antenatal care behind
rule-antenatal_care_behind-reason = Antenatal care is not up to date: take or book her to the health post
code-due_rule-delivery_not_recorded = Delivery to record
rule-delivery_not_recorded-reason = The expected delivery date has passed: visit her, record the delivery and the newborn
code-due_rule-newborn_visit = Newborn visit
rule-newborn_visit-reason = Newborn: visit the baby and the mother in the first week
code-due_rule-postpartum_visit = Postpartum visit
rule-postpartum_visit-reason = She gave birth: visit her in the first week (bleeding, fever, breasts, mood) and remind her of her postpartum check
code-due_rule-growth_check_due = Growth check (CRED)
rule-growth_check_due-reason = Growth and development check (CRED) due: take to the health post
code-due_rule-child_not_visited = Visit due
rule-child_not_visited-reason = Child under five not visited for over 30 days
code-due_rule-pregnancy_not_visited = Antenatal visit due
rule-pregnancy_not_visited-reason = Pregnant woman not visited for over 30 days

## A sign seen, in the words a referral is written with (sign-<question path>)
sign-danger_signs-unable_to_drink = cannot drink or breastfeed
sign-danger_signs-vomits_everything = vomits everything
sign-danger_signs-convulsions = convulsions
sign-danger_signs-lethargic = very sleepy or will not wake
sign-cough-fast_breathing = fast breathing
sign-cough-chest_indrawing = chest indrawing (the skin below the ribs sinks in)
sign-danger_signs-bleeding = vaginal bleeding
sign-danger_signs-severe_headache = severe headache
sign-danger_signs-swelling = swelling of face, hands or feet
sign-danger_signs-fever = fever
sign-danger_signs-reduced_fetal_movement = the baby moves less
sign-danger_signs-waters_broken = fluid leaking from the vagina
sign-other = warning sign
