# Words Rust says (refusals, code lists, growth, follow-up). The code is the contract;
# these are for people. Ids: problem-<code>, code-<list>-<code>, rule-<code>-reason.

## What is wrong with an input (shown beside its field)
problem-required = es obligatorio y está vacío
problem-too_long = es demasiado largo
problem-control_character = contiene caracteres de control no permitidos
problem-invalid_character = contiene caracteres que no pueden estar en un nombre
problem-invalid_date = no es una fecha válida (día/mes/año, por ejemplo 26/11/2026)
problem-future_date = es una fecha futura
problem-too_old = es una fecha demasiado antigua
problem-dni_format = debe tener exactamente 8 dígitos
problem-weight_out_of_range = está fuera del rango posible para un niño (0,5 a 40 kg)
problem-height_out_of_range = está fuera del rango posible para un niño (38 a 130 cm)
problem-latitude_out_of_range = debe estar entre -90 y 90 grados
problem-longitude_out_of_range = debe estar entre -180 y 180 grados
problem-rooms_out_of_range = debe estar entre 1 y 30
problem-age_out_of_range = debe estar entre 0 y 120 años
problem-age_months_out_of_range = debe estar entre 0 y 120 meses
problem-age_days_out_of_range = debe estar entre 0 y 1826 días (menos de 60 meses)
problem-year_out_of_range = debe ser un año desde 2000 hasta el actual
problem-gestation_out_of_range = debe estar entre 4 y 44 semanas
problem-pin_format = debe tener exactamente 6 números
problem-passphrase_too_short = debe tener al menos 10 caracteres
problem-pin_mismatch = no es igual al PIN escrito arriba
problem-pin_already_set = ya tiene un PIN: escríbalo para entrar
problem-staff_passphrase_wrong = no es la frase de acceso del personal
problem-not_under_five = la lista del niño es solo para menores de cinco años en la fecha de la visita
problem-before_birth = la visita es anterior al nacimiento de esta persona
problem-unknown_member = no es un miembro de este hogar
problem-not_pregnant = esta persona no tiene un embarazo registrado
problem-pregnancy_not_female = solo se registra embarazo en mujeres
problem-pregnancy_age = la edad no es compatible con un embarazo (10 a 55 años)
problem-delivery_out_of_range = la fecha probable de parto debe estar entre 2 meses atrás y 10 meses adelante
problem-referral_attended_before_visit = la atención de la referencia no puede ser anterior a la visita
problem-unknown_code = no es un valor de la lista
problem-missing_field = falta este dato
problem-unknown_field = no es un dato conocido
problem-invalid_format = tiene un formato no válido
problem-household_dissolved = el hogar fue dado de baja y no se puede modificar
problem-days_out_of_range = debe estar entre 1 y 90 días
problem-outside_device_scope = esta comunidad no está entre las asignadas a este celular en el puesto de salud
problem-reopen_needs_staff = reabrir un hogar dado de baja lo hace solo el personal del establecimiento
problem-record_removed = un miembro o una visita registrados no se pueden borrar
problem-hub_address = escriba la dirección del puesto de salud, por ejemplo https://192.168.1.20:8470
problem-enrollment_code = escriba el código de registro que le dieron en el puesto de salud
problem-code_without_fingerprint = el código está incompleto: son 7 grupos de 4 letras y números (los 4 últimos grupos prueban que es su puesto de salud)
problem-plain_http = esta dirección no es segura (http://): use la dirección https:// que muestra el puesto de salud
problem-port_out_of_range = debe ser un número entre 1024 y 65535
problem-not_found = no existe
problem-unanswered = falta la respuesta
problem-visit_voided = esta visita fue anulada y ya no se puede cambiar
problem-mother_invalid = la madre debe ser una mujer de este hogar, al menos 10 años mayor

## Code list: sex
code-sex-F = Mujer
code-sex-M = Hombre

## Code list: relationship
code-relationship-head = Jefe o jefa del hogar
code-relationship-spouse = Esposo(a) o conviviente
code-relationship-child = Hijo(a) o hijastro(a)
code-relationship-child_in_law = Yerno o nuera
code-relationship-grandchild = Nieto(a)
code-relationship-parent = Padre, madre o suegro(a)
code-relationship-sibling = Hermano(a)
code-relationship-other_relative = Otro pariente
code-relationship-non_relative = No pariente

## Code list: insurance
code-insurance-sis = SIS (Seguro Integral de Salud)
code-insurance-essalud = EsSalud
code-insurance-other = Otro seguro (FF.AA., privado)
code-insurance-none = Sin seguro
code-insurance-unknown = No sabe

## Code list: education
code-education-none = Sin nivel
code-education-initial = Educación inicial
code-education-primary_incomplete = Primaria incompleta
code-education-primary_complete = Primaria completa
code-education-secondary_incomplete = Secundaria incompleta
code-education-secondary_complete = Secundaria completa
code-education-higher = Superior (técnica o universitaria)
code-education-unknown = No sabe

## Code list: water
code-water-piped_inside = Red pública dentro de la vivienda
code-water-piped_outside = Red pública fuera de la vivienda (en el lote)
code-water-public_tap = Pilón o grifo público
code-water-well = Pozo
code-water-truck = Camión cisterna
code-water-surface = Río, acequia o manantial
code-water-other = Otro

## Code list: sanitation
code-sanitation-sewer_inside = Red pública de desagüe dentro de la vivienda
code-sanitation-sewer_outside = Red pública de desagüe fuera de la vivienda
code-sanitation-septic_tank = Pozo séptico o biodigestor
code-sanitation-latrine = Letrina o pozo ciego
code-sanitation-river = Río, acequia o canal
code-sanitation-open_field = Campo abierto, no tiene
code-sanitation-other = Otro

## Code list: floor
code-floor-earth = Tierra
code-floor-cement = Cemento
code-floor-wood = Madera o entablado
code-floor-tiles = Losetas, cerámica o parquet
code-floor-other = Otro

## Code list: walls
code-walls-brick = Ladrillo o bloque de cemento
code-walls-adobe = Adobe o tapia
code-walls-wood = Madera
code-walls-quincha = Quincha (caña con barro)
code-walls-stone = Piedra con barro
code-walls-mat = Estera
code-walls-other = Otro

## Code list: cooking_fuel
code-cooking_fuel-gas = Gas (GLP o natural)
code-cooking_fuel-electricity = Electricidad
code-cooking_fuel-wood = Leña
code-cooking_fuel-dung = Bosta o estiércol
code-cooking_fuel-charcoal = Carbón
code-cooking_fuel-kerosene = Kerosene
code-cooking_fuel-no_cooking = No cocinan
code-cooking_fuel-other = Otro

## Code list: position
code-position-lying = Echado (longitud)
code-position-standing = De pie (talla)

## Code list: delivery_place
code-delivery_place-facility = En un establecimiento de salud
code-delivery_place-home = En casa
code-delivery_place-on_the_way = En el camino
code-delivery_place-other = Otro lugar

## Growth: growth_flag
code-growth_flag-age_out_of_range = Edad fuera de 0 a 59 meses: sin puntaje
code-growth_flag-standing_before_9_months = Medido de pie antes de los 9 meses: se toma como posición desconocida, sin corrección
code-growth_flag-standing_before_day_731 = Medido de pie antes de los 2 años: se sumó 0,7 cm
code-growth_flag-lying_from_day_731 = Medido echado desde los 2 años: se restó 0,7 cm
code-growth_flag-outside_weight_for_length_range = Talla fuera de la tabla de peso para la talla: sin puntaje
code-growth_flag-implausible = Valor improbable: revise la medición

## Growth: growth_class
code-growth_class-severe_stunting = Talla baja severa
code-growth_class-stunting = Talla baja (desnutrición crónica)
code-growth_class-underweight = Bajo peso para la edad
code-growth_class-severe_wasting = Desnutrición aguda severa
code-growth_class-wasting = Desnutrición aguda
code-growth_class-overweight = Sobrepeso

## Follow-up rules: a title, and the reason shown to the promotora
code-due_rule-danger_sign_referral = Referencia urgente
rule-danger_sign_referral-reason = Signo general de peligro: referir de urgencia al establecimiento
code-due_rule-severe_wasting_referral = Referencia urgente: desnutrición
rule-severe_wasting_referral-reason = Desnutrición aguda severa (peso para la talla < −3 DE): referir de urgencia
code-due_rule-pneumonia_referral = Referir hoy: neumonía
rule-pneumonia_referral-reason = Tos con respiración rápida o tiraje: referir ahora al establecimiento
code-due_rule-pregnancy_danger_sign_referral = Referencia urgente: gestante
rule-pregnancy_danger_sign_referral-reason = Signo de peligro en el embarazo: referir de urgencia al establecimiento
code-due_rule-pneumonia_recheck = Volver a ver: tos
rule-pneumonia_recheck-reason = Tos con respiración rápida o tiraje: volver a ver a los 2 días
code-due_rule-diarrhoea_recheck = Volver a ver: diarrea
rule-diarrhoea_recheck-reason = Diarrea: volver a ver a los 2 días (suero oral, zinc, signos de deshidratación)
code-due_rule-referral_not_confirmed = Confirmar referencia
rule-referral_not_confirmed-reason = Referencia sin confirmar: preguntar si acudió al establecimiento
code-due_rule-antenatal_care_behind = Atención prenatal atrasada
rule-antenatal_care_behind-reason = Sus atenciones prenatales no están al día: acompañarla o citarla al establecimiento
code-due_rule-delivery_not_recorded = Parto por registrar
rule-delivery_not_recorded-reason = Pasó la fecha probable de parto: visitarla, registrar el parto y al recién nacido
code-due_rule-newborn_visit = Visita al recién nacido
rule-newborn_visit-reason = Recién nacido: visitarlo a él y a su madre en su primera semana
code-due_rule-postpartum_visit = Visita después del parto
rule-postpartum_visit-reason = Dio a luz: visitarla en su primera semana (sangrado, fiebre, pechos, ánimo) y recordarle su control puerperal
code-due_rule-growth_check_due = Control CRED
rule-growth_check_due-reason = Control de crecimiento y desarrollo (CRED) pendiente: llevar al establecimiento
code-due_rule-child_not_visited = Visita pendiente
rule-child_not_visited-reason = Niño o niña menor de 5 años sin visita en más de 30 días
code-due_rule-pregnancy_not_visited = Visita a gestante
rule-pregnancy_not_visited-reason = Gestante sin visita en más de 30 días

## A sign seen, in the words a referral is written with (sign-<question path>)
sign-danger_signs-unable_to_drink = no puede beber ni tomar el pecho
sign-danger_signs-vomits_everything = vomita todo
sign-danger_signs-convulsions = convulsiones
sign-danger_signs-lethargic = muy dormido o no despierta
sign-cough-fast_breathing = respiración rápida
sign-cough-chest_indrawing = tiraje (se hunde la piel debajo de las costillas)
sign-danger_signs-bleeding = sangrado vaginal
sign-danger_signs-severe_headache = dolor de cabeza fuerte
sign-danger_signs-swelling = hinchazón de cara, manos o pies
sign-danger_signs-fever = fiebre
sign-danger_signs-reduced_fetal_movement = el bebé se mueve menos
sign-danger_signs-waters_broken = pérdida de líquido por la vagina
sign-other = signo de alarma
