# What an operation refuses or fails with (the command line and the app).

ops-rows_rejected = { $n ->
        [one] { $n } row rejected: nothing was imported
       *[other] { $n } rows rejected: nothing was imported
    }
ops-no_store = No Ayllu store in { $path } (run `ayllu --data { $path } init`)
ops-not_enrolled = This device is not enrolled with the health post yet: ask for an enrollment code.
ops-code_refused = The code is not valid, was already used or has expired. Ask the health post for a new one.
ops-already_enrolled = This phone is already registered with the health post. To register it again, ask the staff to remove its access first.
ops-key_revoked = The health post did not accept this phone's key. Ask the staff for a new code.
ops-enroll_signature = The health post could not check that this phone is who it says it is. Type the whole code again; if it happens again, tell the staff.
ops-bundle_unreadable = The file { $file } cannot be read here: it is damaged or incomplete, was written by another version of Ayllu, or is for another device. Nothing was changed.
ops-unknown_device = No enrolled device { $device }
ops-hub_off = Switch facility mode on first.
ops-export_failed = Could not save: { $reason }
ops-io = Could not read or write { $path }: { $reason }
ops-store = Internal storage error: { $reason }
ops-admin = Health post server error: { $reason }
ops-sync = The sync failed: { $reason }

## Talking to the health post
hub-cut = The link to the health post was cut before its answer arrived. It may already hold what was sent; nothing was lost here: the next sync confirms it.
hub-unreachable = Cannot reach the health post ({ $url }). Is there signal? Is it on?
hub-unauthorized = The health post no longer recognises this device (401). Ask for a new enrollment code.
hub-out_of_scope = This device sent households of communities not assigned to it; the health post did not take them.
hub-too_many_requests = The health post is busy with many devices; it will try again shortly.
hub-timeout = The link dropped while sending; it will try again.
hub-too_large = What was sent is too large for one exchange; tell the health post's staff.
hub-internal = The health post had an internal error; tell its staff.
hub-refused = The health post refused the sync ({ $status }).
hub-not_understood = The health post's answer was not understood; it will try again.
hub-wrong_certificate = The machine at { $url } is not this phone's health post (its certificate does not match). Nothing was sent. If the health post changed computers, ask for a new enrollment code.
hub-plain_http = This phone only connects to its health post securely (https://); nothing was sent to { $url }.
hub-re_enroll = The health post now uses a secure connection: ask for a new enrollment code for this phone. Its data stays here.

## Why the other side did not take a household (refusal-<code>)
refusal-unreadable = the health post could not read what was sent
refusal-invalid = the record breaks the census rules
refusal-shape = it has data this version does not know: update the app
refusal-too_large = the household holds too much data to be sent
refusal-out_of_scope = this household's community is not assigned to this phone
refusal-foreign_actor = it has changes not made on this phone
refusal-transition = only facility staff can make that change
refusal-unknown = the health post does not have this household: it will be sent whole
refusal-later = it will go with the next sync
refusal-other = the record is not valid

## A record's fields, as a conflict names them (field-<key>)
field-address = Address
field-community = Community
field-sector = Sector
field-consent = Consent
field-gps = GPS location
field-water = Water
field-sanitation = Toilet
field-floor = Floor
field-walls = Walls
field-cooking_fuel = Cooking fuel
field-electricity = Electricity
field-rooms = Rooms
field-given_names = Given names
field-surnames = Surnames
field-sex = Sex
field-birth = Date
field-date = Date
field-relationship = Relationship
field-dni = DNI
field-insurance = Insurance
field-education = Education
field-pregnancy = Pregnancy
field-expected_delivery = Expected delivery date
field-mother = Mother
field-notes = Notes
field-promotor = Promotor
field-weight_kg = Weight
field-length = Length/height
field-referral = Referral
field-dissolved = Household closed
field-corrected = Correction
field-voided = Voiding
field-weight = Weight
field-fever = Fever
field-diarrhoea = Diarrhoea
field-cough = Cough or difficult breathing
field-danger_signs = Danger signs
field-breastfeeding = Breastfeeding
field-iron = Iron
field-vitamin_a = Vitamin A
field-vaccination_card_seen = Vaccination card
field-vaccines_up_to_date = Vaccines up to date
field-growth_check_up_to_date = Growth checks (CRED)
field-other = Field
conflict-visit_of = Visit of { $date }
conflict-owned = { $owner }: { $what }
conflict-no_value = (no value)

## How numbers are written
number-decimal_separator = { "." }

## The command line
cli-invalid_input = invalid input
cli-line = line

## The lock on the data folder (PIN or staff passphrase)
lock-wrong = { $secs ->
        [0] Wrong PIN. Try again.
       *[other] Wrong PIN ({ $n } times in a row). Wait { $secs } seconds before trying again.
    }
lock-too_soon = Too many wrong tries: wait { $secs } seconds.
lock-other_device = These data are sealed to another device and do not open here, with any PIN. If this is your phone and it was reset, link it again with the health post: your households come back when it syncs.
lock-keystore = This device's keystore could not be used ({ $reason }): without it these data do not open. Restart the device and try again.
lock-corrupt = The data's lock file is not valid ({ $reason }). Tell the health post's staff.
lock-none = This data has no PIN yet.
cli-insecure_http = WARNING: unencrypted connection (--insecure-http). Anyone on the network can read the names and DNIs sent and pose as the health post. Use it for tests only.
cli-no_pin = this data's PIN is missing: use --pin-file FILE or the variable AYLLU_PIN
cli-no_passphrase = the staff passphrase is missing: use --pin-file FILE or the variable AYLLU_PASSPHRASE
lock-locked = Type your PIN to enter.

history-this_device = this device
history-op-household-create = Household registered
history-op-household-edit = Household details changed
history-op-household-dissolve = Household closed
history-op-import-csv = Imported from a spreadsheet
history-op-member-add = Member added
history-op-member-edit = Member changed
history-op-member-remove = Member removed
history-op-visit-record = Visit recorded
history-op-visit-correct = Visit corrected
history-op-visit-void = Visit voided
history-op-visit-referral_attended = Referral marked as attended
history-op-visit-referral_attended_undone = Referral: "attended" undone
history-op-delivery-record = Birth recorded
history-op-conflict-resolve = Conflicting value chosen
history-op-other = Change
