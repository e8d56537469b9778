# Ayllu's screens (en). Ids are the screen's area, then what the text is.
# Plural forms select on $n; gender on $sex (F or M).

language-name = English
app-title = Ayllu

date-placeholder = dd/mm/yyyy
date-calendar = Calendar
date-previous_month = Previous month
date-next_month = Next month
date-month = Month
date-year = Year
date-today = Today

nav-today = Today
nav-households = Households
nav-sync = Sync
nav-settings = Settings
nav-facility = Health post
nav-report = Indicators

common-save = Save
common-cancel = Cancel
common-back = Back
common-next = Next
common-undo = Undo
common-yes = Yes
common-no = No
common-none = —
common-choose = Choose…
common-saving = Saving…
common-saved = Saved
common-loading = Loading…
common-error_fix = Check the fields marked in red.

welcome-title = Welcome to Ayllu
welcome-text = Type your name: it signs every record made on this device.
welcome-start = Start

today-title = Today
today-greeting = Hello, { $name }
today-households = { $n ->
        [one] { $n } household registered
       *[other] { $n } households registered
    }
today-nothing = Nothing pending for now.
today-new_household = Register a household
today-due = Due
today-window_today = Due today
today-window_week = Next 7 days
today-all_communities = All communities

due-urgent = Urgent
due-soon = Soon
due-routine = Routine
due-overdue = { $n ->
        [one] overdue by { $n } day
       *[other] overdue by { $n } days
    }
due-today = due today
due-never_seen = due: not visited yet
due-in = { $n ->
        [one] in { $n } day
       *[other] in { $n } days
    }
due-seen = seen on { $date }
due-attended = Went to the health post
due-attended_done = Referral confirmed

sync-title = Sync
sync-refused_title = Could not be sent
sync-refused_help = These households are still kept on this phone. Each sync tries again; if the reason does not change, ask at the health post.
sync-not_received = Not received
sync-off = No hub: this device is not enrolled yet.
sync-idle = Synced
sync-syncing = Syncing…
sync-failed = Offline
sync-last = Last sync: { $when }
sync-never = Never synced
sync-waiting = { $n ->
        [one] { $n } household waiting to be sent
       *[other] { $n } households waiting to be sent
    }
sync-progress = { $sent } sent, { $received } received
sync-next = Next try in { $s } s
sync-now = Sync now
sync-enroll_title = Enroll this device with the hub
sync-enroll_help = Ask the health post for its address (https://…) and an enrollment code: 7 groups of 4 letters and digits.
sync-insecure_warning = This address is not encrypted (http://): anyone on the network could read the names and DNIs and pose as the health post. Use the https:// address the health post shows.
sync-insecure_accept = Connect anyway, unencrypted (tests only)
sync-insecure_link = Unencrypted connection: tests only.
sync-hub_url = Hub address
sync-code = Enrollment code
sync-enroll = Enroll
sync-hub = Health post: linked
sync-chip_off = No hub
sync-chip_waiting = { $n } to send

households-title = Households
households-search = Search by name, DNI or place
households-community = Community
households-sector = Sector
households-all = All
households-none = No households found.
households-members = { $n ->
        [one] { $n } member
       *[other] { $n } members
    }
households-last_visit = Last visit { $date }
households-never_visited = No visits
households-new = New household

household-title = Household
household-members = Members
household-visits = Visits
household-no_visits = No visits yet.
household-record_visit = Record a visit
household-edit = Edit household
household-add_member = Add a member
household-edit_member = Edit
household-conflicts = To review
household-conflicts_help = Two people changed this at the same time. Choose the right value.
household-keep = Keep this one
household-housing = Housing
household-years = { $n ->
        [one] { $n } year
       *[other] { $n } years
    }
household-months = { $n ->
        [one] { $n } month
       *[other] { $n } months
    }
household-under_five = under 5
household-pregnant = pregnant
household-children_checked = { $n ->
        [one] { $n } child checked
       *[other] { $n } children checked
    }
household-weight_height = { $w } kg, { $h } cm
household-diarrhoea = diarrhoea
household-referral = referred
household-due = Due
household-growth = Growth

growth-length_for_age = Length/height-for-age (cm)
growth-weight_for_age = Weight-for-age (kg)
growth-age_months = age (months)
growth-none = No weight or length measured yet.
growth-latest = { $n ->
        [one] Latest measurement { $date } ({ $n } month)
       *[other] Latest measurement { $date } ({ $n } months)
    }
growth-show_z = Show z-scores (for health staff)
growth-haz = Length-for-age Z
growth-waz = Weight-for-age Z
growth-whz = Weight-for-length Z
growth-normal = Growing well
growth-legend = WHO 2006 curves: −3, −2, 0 (median), +2 and +3 SD. Green band: normal.

export-title = Export indicators
export-help = Tables for the Local Health Plan: population, under-fives, coverage, diarrhoea and pneumonia, stunting by mother's education, households without insurance, water or sanitation, and not visited.
export-open = Export indicators
report-title = Health post indicators
report-help = The Local Health Plan tables, read from the health post. Counts under 5 show as "<5" so that no family can be recognised.
export-year = Year
export-format = Format
export-xlsx = Spreadsheet (XLSX)
export-html = Printable report
export-csv = CSV
export-run = Export
export-choose = Save as…
export-done = Indicators for { $year } exported · households: { $n }

form-new_household = New household
form-edit_household = Edit household
form-place = Place
form-community = Community
form-sector = Sector (optional)
form-address = Address or landmark
form-consent = The family gave consent
form-housing = Housing
form-water = Water
form-sanitation = Sanitation
form-floor = Floor
form-walls = Walls
form-cooking_fuel = Cooking fuel
form-electricity = Electricity
form-rooms = Rooms
form-members = Household members
form-member = Member { $n }
form-add_member = Add another member
form-remove_member = Remove
form-given_names = Given names
form-surnames = Surnames
form-sex = Sex
form-birth_date = Birth date (day/month/year)
form-age = Age
form-years = years
form-months = months
form-mother = Mother
form-mother_none = Not in the household / not known
form-estimated = Exact date not known (approximate)
form-relationship = Relationship to the head
form-dni = DNI (optional)
form-insurance = Insurance
form-education = Education
form-pregnant = Is pregnant
form-expected_delivery = Expected delivery date (day/month/year)
form-weeks_now = or weeks of pregnancy today
form-new_member = New member
form-edit_member = Edit member

visit-after = After this visit
visit-title = Visit
visit-notes = Notes (optional)
visit-step = Step { $n } of { $total }
visit-start = Visit details
visit-child_age = { $months } months
visit-pregnant = Pregnant woman: { $name }
visit-summary = Summary
visit-no_children = No children under five and no pregnant women in this household.
visit-save = Save visit
visit-weight = Weight (kg)
visit-position = How was it measured?
visit-referral_reason = Reason for referral
visit-gestational_weeks = Weeks of gestation
visit-correct_title = Correct visit
visit-save_correction = Save correction
visit-corrected = Visit corrected

household-correct = Correct
household-corrected = Corrected on { $date } by { $by }

visit-saved = Visit saved

household-void = Void
household-void_reason = Why is it voided? (for example: recorded in the wrong household)
household-void_yes = Yes, void the visit
household-voided = Voided: { $reason }
household-edited_after_dissolution = Edited after it was dissolved
household-edited_after_dissolution_help = These changes were made on a phone that did not yet know the household had been dissolved. Check that dissolving it was right.

households-unsent = not sent

usb-title = USB stick or SD card
usb-help = Where there is no signal, records travel in a file: save it and take it to the health post; read the one it gives back.
usb-write_choose = Save to the USB stick…
usb-write_here = Save on this device
usb-written = { $n ->
        [one] { $n } household saved in the file.
       *[other] { $n } households saved in the file.
    }
usb-read_title = Read a file from the health post
usb-on_stick = on the USB stick
usb-on_device = on this device
usb-none = No file found.
usb-pick = Look for another file…
usb-chosen = Chosen file
usb-would = Households in the file: { $n } · would change here: { $changed }.
usb-refused = Some would not be accepted.
usb-apply = Apply
usb-applied = { $n ->
        [one] { $n } household updated.
       *[other] { $n } households updated.
    }

delivery-title = Record the delivery
delivery-on = Delivery date (day/month/year)
delivery-born_alive = Born alive?
delivery-place = Where was the baby born?
delivery-weight = Birth weight (kg, if known)
delivery-newborn = The newborn

household-record_delivery = Record delivery

visit-resumed = Carrying on with the visit you left unfinished.
visit-later = Continue later

household-unfinished_visit = There is an unfinished visit in this household.
household-resume_visit = Continue the visit
household-discard_visit = Discard
household-discard_question = Discard the unfinished visit? Its answers will be lost.
household-discard_yes = Yes, discard
household-discard_no = No
household-history = History of changes
household-show_history = See who changed what
household-history_unsigned = unsigned

today-unfinished = Unfinished visits

visit-date = Visit date (day/month/year)
visit-date_short = Date
visit-child = { $sex ->
        [F] Girl
       *[other] Boy
    }: { $name }
visit-height_lying = Length, lying (cm)
visit-height_standing = Height, standing (cm)
visit-not_asked = Not asked
visit-missing = Still to answer:
visit-refer_today = Refer today:
visit-not_measured = Not weighed or measured
visit-more = More
visit-other_referral = Refer for another reason
visit-weeks_short = { $n ->
        [one] { $n } week of gestation
       *[other] { $n } weeks of gestation
    }

child-danger_signs = Any danger sign?
child-danger_signs-unable_to_drink = Unable to drink or breastfeed
child-danger_signs-vomits_everything = Vomits everything
child-danger_signs-convulsions = Has had convulsions
child-danger_signs-lethargic = Very sleepy or does not wake up
child-cough = Cough or difficult breathing?
child-cough-fast_breathing = Fast breathing? ({ $n } or more a minute)
child-cough-chest_indrawing = Chest indrawing (skin below the ribs sinks when breathing)?
child-diarrhoea = Diarrhoea in the last 2 weeks?
child-diarrhoea-ors = Given oral rehydration salts (ORS)?
child-diarrhoea-zinc = Given zinc?
child-fever = Fever now or in recent days?
child-vaccination_card_seen = Vaccination card seen?
child-vaccines_up_to_date = Vaccines complete for age?
child-growth_check_up_to_date = Growth checks (CRED) up to date?
child-breastfeeding = Still breastfed?
child-iron = Taking iron drops or syrup?
child-vitamin_a = Vitamin A in the last 6 months?

anc-anc_card_seen = Antenatal card seen?
anc-anc_up_to_date = Antenatal care up to date?
anc-iron_folic_acid = Taking iron and folic acid tablets?
anc-danger_signs = Any danger sign?
anc-danger_signs-bleeding = Vaginal bleeding
anc-danger_signs-severe_headache = Severe headache, ringing ears or blurred vision
anc-danger_signs-swelling = Swelling of face, hands or feet
anc-danger_signs-fever = Fever
anc-danger_signs-reduced_fetal_movement = The baby moves less or not at all
anc-danger_signs-waters_broken = Fluid leaking from the vagina

settings-title = Settings
settings-language = Language
settings-promotor = Promotor's name
settings-text_size = Text size
settings-text_normal = Normal
settings-text_large = Large
settings-technical = Technical details (for support)
settings-data_dir = Data folder
settings-device = Device
settings-version = Version { $v }
settings-facility = Health post mode
settings-facility_help = At the health post this device acts as the hub: promotors' phones sync with it.

facility-title = Health post (hub)
facility-listen = Where it serves the phones
facility-listen_lan = { $ip }: the health post's network
facility-listen_local = { $ip }: this machine only
facility-port = Port
facility-start = Start the hub
facility-stop = Stop the hub
facility-running = The hub is running at:
facility-stopped = The hub is stopped.
facility-new_code = New enrollment code
facility-promotor = Promotor
facility-communities = Communities (none ticked: all)
facility-days = Valid for (days)
facility-role = For
facility-role_promotor = Promotor: syncs their communities
facility-role_staff = Health post staff: every household
facility-role_committee = CLAS committee: indicators only, no names
facility-create_code = Create code
facility-code_help = Scan the QR code or type the address and code on the phone.
facility-devices = Enrolled devices
facility-no_devices = No devices enrolled yet.
facility-last_sync = Last sync: { $when }
facility-never = never
facility-revoke = Remove access
facility-revoke_question = Remove the access of “{ $name }”? It will no longer sync.
facility-revoke_yes = Yes, remove access

sync-chip_facility = Health post

facility-other_community = Another community (no households yet)
facility-revoked = revoked
facility-set_aside = Under review: it uses the key of another device ({ $first }), so it does not sync or bring bundles. Remove its access; if it is trusted, enroll it again with a new code.
facility-all_communities = all communities

## What the app's shell says (Rust)
app-internal = Internal error: { $reason }
facility-start_failed = Could not start the health post's server: { $reason }
facility-port_unavailable = Port { $port } is not available ({ $reason }).

## The lock screen
lock-set_title = Choose your PIN
lock-set_text = Choose a 6-digit PIN. Ayllu asks for it every time it opens and after a few idle minutes, so nobody else can read the families' records.
lock-set_help = Do not write it on the phone or tell anyone. If you forget it, you can start again: once the phone is linked again, the health post gives back the households it had sent.
lock-forgot = I forgot my PIN
lock-forgot_text = Without the PIN nobody can open these data, not even the health post. You can start again on this phone: the locked data are kept aside (if you remember the PIN, they still open) and, once the phone is linked again with the health post, every household it had sent comes back. What it had not sent stays only in the data kept aside.
lock-start_over = Start again on this phone
lock-title = Type your PIN
lock-text = The families' records are protected.
lock-passphrase_title = Staff passphrase
lock-passphrase_text = This data belongs to the health post: type the staff passphrase.
lock-pin = PIN (6 digits)
lock-pin_again = Type the PIN again
lock-passphrase = Passphrase
lock-set = Save PIN
lock-open = Enter
lock-wait = { $n ->
        [one] Wait { $n } second.
       *[other] Wait { $n } seconds.
    }

## The staff passphrase (health post screens)
staff-locked = Type the staff passphrase to enter.
staff-set_title = Staff passphrase
staff-set_text = The health post's screens (linking and removing phones, exports) ask for a passphrase only the staff know. Choose one of at least 10 characters.
staff-title = Staff only
staff-text = Type the health post staff's passphrase.
staff-passphrase = Passphrase
staff-passphrase_again = Type the passphrase again
staff-set = Save passphrase
staff-open = Enter
