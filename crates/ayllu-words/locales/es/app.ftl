# Ayllu's screens (es). Ids are the screen's area, then what the text is.
# Plural forms select on $n; gender on $sex (F or M).

language-name = Español
app-title = Ayllu

date-placeholder = dd/mm/aaaa
date-calendar = Calendario
date-previous_month = Mes anterior
date-next_month = Mes siguiente
date-month = Mes
date-year = Año
date-today = Hoy

nav-today = Hoy
nav-households = Hogares
nav-sync = Sincronizar
nav-settings = Ajustes
nav-facility = Puesto
nav-report = Indicadores

common-save = Guardar
common-cancel = Cancelar
common-back = Volver
common-next = Siguiente
common-undo = Deshacer
common-yes = Sí
common-no = No
common-none = —
common-choose = Elegir…
common-saving = Guardando…
common-saved = Guardado
common-loading = Cargando…
common-error_fix = Revise los datos marcados en rojo.

welcome-title = Le damos la bienvenida a Ayllu
welcome-text = Escriba su nombre: firmará cada registro que haga en este equipo.
welcome-start = Empezar

today-title = Hoy
today-greeting = Hola, { $name }
today-households = { $n ->
        [one] { $n } hogar registrado
       *[other] { $n } hogares registrados
    }
today-nothing = Nada pendiente por ahora.
today-new_household = Registrar hogar
today-due = Pendientes
today-window_today = Para hoy
today-window_week = Próximos 7 días
today-all_communities = Todas las comunidades

due-urgent = Urgente
due-soon = Pronto
due-routine = Rutina
due-overdue = { $n ->
        [one] venció hace { $n } día
       *[other] venció hace { $n } días
    }
due-today = para hoy
due-never_seen = pendiente: aún sin visitas
due-in = { $n ->
        [one] en { $n } día
       *[other] en { $n } días
    }
due-seen = visto el { $date }
due-attended = Acudió al establecimiento
due-attended_done = Referencia confirmada

sync-title = Sincronización
sync-refused_title = No se pudo enviar
sync-refused_help = Estos hogares siguen guardados en este celular. Se intentará de nuevo en cada sincronización; si el motivo no cambia, consulte en el puesto de salud.
sync-not_received = No se pudo recibir
sync-off = Sin vincular: este celular aún no está vinculado con el puesto de salud.
sync-idle = Sincronizado
sync-syncing = Sincronizando…
sync-failed = Sin conexión
sync-last = Última sincronización: { $when }
sync-never = Nunca sincronizado
sync-waiting = { $n ->
        [one] { $n } hogar esperando para enviarse
       *[other] { $n } hogares esperando para enviarse
    }
sync-progress = Enviados: { $sent } · recibidos: { $received }
sync-next = Próximo intento en { $s } s
sync-now = Sincronizar ahora
sync-enroll_title = Vincular con el puesto de salud
sync-enroll_help = Pida en el puesto de salud su dirección (https://…) y un código de registro: son 7 grupos de 4 letras y números.
sync-insecure_warning = Esta dirección no está cifrada (http://): cualquiera en la red podría leer los nombres y DNI y hacerse pasar por el puesto de salud. Use la dirección https:// que muestra el puesto de salud.
sync-insecure_accept = Conectar igual, sin cifrar (solo para pruebas)
sync-insecure_link = Conexión sin cifrar: solo para pruebas.
sync-hub_url = Dirección del puesto de salud
sync-code = Código de registro
sync-enroll = Registrar
sync-hub = Puesto de salud: vinculado
sync-chip_off = Sin vincular
sync-chip_waiting = { $n } por enviar

households-title = Hogares
households-search = Buscar por nombre, DNI o lugar
households-community = Comunidad
households-sector = Sector
households-all = Todas
households-none = No se encontraron hogares.
households-members = { $n ->
        [one] { $n } miembro
       *[other] { $n } miembros
    }
households-last_visit = Última visita { $date }
households-never_visited = Sin visitas
households-new = Nuevo hogar

household-title = Hogar
household-members = Miembros
household-visits = Visitas
household-no_visits = Aún no hay visitas.
household-record_visit = Registrar visita
household-edit = Editar hogar
household-add_member = Añadir miembro
household-edit_member = Editar
household-conflicts = Datos para revisar
household-conflicts_help = Dos personas cambiaron este dato a la vez. Elija el valor correcto.
household-keep = Quedarse con este
household-housing = Vivienda
household-years = { $n ->
        [one] { $n } año
       *[other] { $n } años
    }
household-months = { $n ->
        [one] { $n } mes
       *[other] { $n } meses
    }
household-under_five = menor de 5
household-pregnant = gestante
household-children_checked = { $n ->
        [one] { $n } niño revisado
       *[other] { $n } niños revisados
    }
household-weight_height = { $w } kg, { $h } cm
household-diarrhoea = diarrea
household-referral = referido
household-due = Pendientes
household-growth = Crecimiento

growth-length_for_age = Talla para la edad (cm)
growth-weight_for_age = Peso para la edad (kg)
growth-age_months = edad (meses)
growth-none = Aún sin medidas de peso o talla.
growth-latest = { $n ->
        [one] Última medida { $date } ({ $n } mes)
       *[other] Última medida { $date } ({ $n } meses)
    }
growth-show_z = Ver puntajes Z (para el personal de salud)
growth-haz = Z talla/edad
growth-waz = Z peso/edad
growth-whz = Z peso/talla
growth-normal = Crecimiento adecuado
growth-legend = Curvas OMS 2006: −3, −2, 0 (mediana), +2 y +3 DE. Zona verde: normal.

export-title = Exportar indicadores
export-help = Tablas para el Plan de Salud Local: población, menores de 5, coberturas, diarrea y neumonía, desnutrición según educación de la madre, hogares sin seguro, agua o saneamiento, y no visitados.
export-open = Exportar indicadores
report-title = Indicadores del puesto de salud
report-help = Los cuadros del Plan de Salud Local, leídos del puesto de salud. Las cifras menores de 5 se muestran «<5» para que nadie pueda reconocer a una familia.
export-year = Año
export-format = Formato
export-xlsx = Hoja de cálculo (XLSX)
export-html = Informe para imprimir
export-csv = CSV
export-run = Exportar
export-choose = Guardar como…
export-done = Indicadores { $year } exportados · hogares: { $n }

form-new_household = Nuevo hogar
form-edit_household = Editar hogar
form-place = Ubicación
form-community = Comunidad
form-sector = Sector (opcional)
form-address = Dirección o referencia
form-consent = La familia dio su consentimiento
form-housing = Vivienda
form-water = Agua
form-sanitation = Desagüe
form-floor = Piso
form-walls = Paredes
form-cooking_fuel = Combustible para cocinar
form-electricity = Electricidad
form-rooms = Habitaciones
form-members = Miembros del hogar
form-member = Miembro { $n }
form-add_member = Añadir otro miembro
form-remove_member = Quitar
form-given_names = Nombres
form-surnames = Apellidos
form-sex = Sexo
form-birth_date = Fecha de nacimiento (día/mes/año)
form-age = Edad
form-years = años
form-months = meses
form-mother = Madre
form-mother_none = No vive en el hogar / no se sabe
form-estimated = No sabe la fecha exacta (fecha aproximada)
form-relationship = Parentesco con el jefe de hogar
form-dni = DNI (opcional)
form-insurance = Seguro
form-education = Nivel educativo
form-pregnant = Está embarazada
form-expected_delivery = Fecha probable de parto (día/mes/año)
form-weeks_now = o semanas de embarazo hoy
form-new_member = Nuevo miembro
form-edit_member = Editar miembro

visit-after = Después de esta visita
visit-title = Visita
visit-notes = Notas (opcional)
visit-step = Paso { $n } de { $total }
visit-start = Datos de la visita
visit-child_age = { $months } meses
visit-pregnant = Gestante: { $name }
visit-summary = Resumen
visit-no_children = No hay niños menores de cinco años ni gestantes en este hogar.
visit-save = Guardar visita
visit-weight = Peso (kg)
visit-position = ¿Cómo se midió?
visit-referral_reason = Motivo de la referencia
visit-gestational_weeks = Semanas de gestación
visit-correct_title = Corregir visita
visit-save_correction = Guardar corrección
visit-corrected = Visita corregida

household-correct = Corregir
household-corrected = Corregida el { $date } por { $by }

visit-saved = Visita guardada

household-void = Anular
household-void_reason = ¿Por qué se anula? (por ejemplo: se registró en el hogar equivocado)
household-void_yes = Sí, anular la visita
household-voided = Anulada: { $reason }
household-edited_after_dissolution = Editado después de darlo de baja
household-edited_after_dissolution_help = Estos cambios se hicieron en un celular que aún no sabía que el hogar fue dado de baja. Revise si la baja fue correcta.

households-unsent = sin enviar

usb-title = Memoria USB o tarjeta SD
usb-help = Donde no llega la señal, los registros viajan en un archivo: guárdelo y llévelo al puesto de salud; lea el que le devuelvan.
usb-write_choose = Guardar en la memoria USB…
usb-write_here = Guardar en este equipo
usb-written = { $n ->
        [one] Se guardó { $n } hogar en el archivo.
       *[other] Se guardaron { $n } hogares en el archivo.
    }
usb-read_title = Leer un archivo del puesto de salud
usb-on_stick = en la memoria USB
usb-on_device = en este equipo
usb-none = No se encontró ningún archivo.
usb-pick = Buscar otro archivo…
usb-chosen = Archivo elegido
usb-would = Hogares en el archivo: { $n } · cambiarían aquí: { $changed }.
usb-refused = Algunos no se aceptarían.
usb-apply = Aplicar
usb-applied = { $n ->
        [one] { $n } hogar actualizado.
       *[other] { $n } hogares actualizados.
    }

delivery-title = Registrar el parto
delivery-on = Fecha del parto (día/mes/año)
delivery-born_alive = ¿Nació vivo?
delivery-place = ¿Dónde nació?
delivery-weight = Peso al nacer (kg, si se sabe)
delivery-newborn = El recién nacido

household-record_delivery = Registrar parto

visit-resumed = Continúa la visita que dejó sin terminar.
visit-later = Seguir después

household-unfinished_visit = Hay una visita sin terminar en este hogar.
household-resume_visit = Continuar la visita
household-discard_visit = Descartar
household-discard_question = ¿Descartar la visita sin terminar? Se perderán sus respuestas.
household-discard_yes = Sí, descartar
household-discard_no = No
household-history = Historial de cambios
household-show_history = Ver quién cambió qué
household-history_unsigned = sin firma

today-unfinished = Visitas sin terminar

visit-date = Fecha de la visita (día/mes/año)
visit-date_short = Fecha
visit-child = { $sex ->
        [F] Niña
       *[other] Niño
    }: { $name }
visit-height_lying = Longitud, echado (cm)
visit-height_standing = Talla, de pie (cm)
visit-not_asked = No se preguntó
visit-missing = Falta responder:
visit-refer_today = Referir hoy:
visit-not_measured = Sin peso ni talla
visit-more = Otros datos
visit-other_referral = Referir por otro motivo
visit-weeks_short = { $n ->
        [one] { $n } semana de gestación
       *[other] { $n } semanas de gestación
    }

child-danger_signs = ¿Tiene algún signo de peligro?
child-danger_signs-unable_to_drink = No puede beber nada ni tomar el pecho
child-danger_signs-vomits_everything = Vomita todo lo que come o toma
child-danger_signs-convulsions = Ha tenido convulsiones (ataques)
child-danger_signs-lethargic = Está muy dormido o no despierta
child-cough = ¿Tiene tos o dificultad para respirar?
child-cough-fast_breathing = ¿Respira rápido? ({ $n } o más por minuto)
child-cough-chest_indrawing = ¿Se le hunde la piel debajo de las costillas al respirar?
child-diarrhoea = ¿Tuvo diarrea en las últimas 2 semanas?
child-diarrhoea-ors = ¿Le dieron suero oral (SRO)?
child-diarrhoea-zinc = ¿Le dieron zinc?
child-fever = ¿Tiene o tuvo fiebre estos días?
child-vaccination_card_seen = ¿Vio el carné de vacunación?
child-vaccines_up_to_date = ¿Vacunas completas para su edad?
child-growth_check_up_to_date = ¿Controles CRED al día?
child-breastfeeding = ¿Sigue tomando pecho?
child-iron = ¿Toma sus gotas o jarabe de hierro?
child-vitamin_a = ¿Recibió vitamina A en los últimos 6 meses?

anc-anc_card_seen = ¿Vio el carné perinatal?
anc-anc_up_to_date = ¿Atenciones prenatales al día?
anc-iron_folic_acid = ¿Toma sus tabletas de hierro y ácido fólico?
anc-danger_signs = ¿Tiene algún signo de alarma?
anc-danger_signs-bleeding = Sangrado por la vagina
anc-danger_signs-severe_headache = Dolor de cabeza fuerte, zumbido de oídos o visión borrosa
anc-danger_signs-swelling = Hinchazón de cara, manos o pies
anc-danger_signs-fever = Fiebre
anc-danger_signs-reduced_fetal_movement = El bebé se mueve menos o no se mueve
anc-danger_signs-waters_broken = Pérdida de líquido por la vagina

settings-title = Ajustes
settings-language = Idioma
settings-promotor = Nombre del promotor o promotora
settings-text_size = Tamaño de la letra
settings-text_normal = Normal
settings-text_large = Grande
settings-technical = Datos técnicos (para soporte)
settings-data_dir = Carpeta de datos
settings-device = Equipo
settings-version = Versión { $v }
settings-facility = Modo puesto de salud
settings-facility_help = En el puesto de salud, este equipo es el servidor: los celulares de los promotores se sincronizan con él.

facility-title = Puesto de salud (servidor)
facility-listen = Dónde atiende a los celulares
facility-listen_lan = { $ip }: la red del puesto de salud
facility-listen_local = { $ip }: solo este equipo
facility-port = Puerto
facility-start = Activar el servidor
facility-stop = Apagar el servidor
facility-running = El servidor está activo en:
facility-stopped = El servidor está apagado.
facility-new_code = Nuevo código de registro
facility-promotor = Promotor o promotora
facility-communities = Comunidades (ninguna marcada: todas)
facility-days = Válido por (días)
facility-role = Para
facility-role_promotor = Promotor: sincroniza sus comunidades
facility-role_staff = Personal del puesto: todos los hogares
facility-role_committee = Comité CLAS: solo indicadores, sin nombres
facility-create_code = Crear código
facility-code_help = Escanee el código QR o escriba la dirección y el código en el celular.
facility-devices = Equipos registrados
facility-no_devices = Aún no hay equipos registrados.
facility-last_sync = Última sincronización: { $when }
facility-never = nunca
facility-revoke = Quitar acceso
facility-revoke_question = ¿Quitar el acceso de «{ $name }»? Ya no podrá sincronizar.
facility-revoke_yes = Sí, quitar acceso

sync-chip_facility = Puesto de salud

facility-other_community = Otra comunidad (aún sin hogares)
facility-revoked = revocado
facility-set_aside = En revisión: usa la clave de otro equipo ({ $first }), así que no sincroniza ni trae paquetes. Quítele el acceso; si es de confianza, regístrelo otra vez con un código nuevo.
facility-all_communities = todas las comunidades

## What the app's shell says (Rust)
app-internal = Error interno: { $reason }
facility-start_failed = No se pudo iniciar el servidor del puesto de salud: { $reason }
facility-port_unavailable = El puerto { $port } no está disponible ({ $reason }).

## The lock screen
lock-set_title = Cree su PIN
lock-set_text = Elija un PIN de 6 números. Ayllu lo pedirá cada vez que se abra y después de unos minutos sin usarlo: así nadie más puede leer los datos de las familias.
lock-set_help = No lo escriba en el celular ni se lo diga a nadie. Si lo olvida, puede empezar de nuevo: al vincular el celular otra vez, el puesto de salud le devuelve los hogares que ya envió.
lock-forgot = Olvidé mi PIN
lock-forgot_text = Sin el PIN nadie puede abrir estos datos, tampoco el puesto de salud. Puede empezar de nuevo en este celular: los datos cerrados se guardan aparte (si recuerda el PIN, todavía se abren) y, al vincular el celular otra vez con el puesto de salud, vuelven todos los hogares que ya envió. Lo que no llegó a enviar queda solo en los datos guardados aparte.
lock-start_over = Empezar de nuevo en este celular
lock-title = Escriba su PIN
lock-text = Los datos de las familias están protegidos.
lock-passphrase_title = Frase de acceso del personal
lock-passphrase_text = Estos datos son del puesto de salud: escriba la frase de acceso del personal.
lock-pin = PIN (6 números)
lock-pin_again = Repita el PIN
lock-passphrase = Frase de acceso
lock-set = Guardar PIN
lock-open = Entrar
lock-wait = { $n ->
        [one] Espere { $n } segundo.
       *[other] Espere { $n } segundos.
    }

## The staff passphrase (health post screens)
staff-locked = Escriba la frase de acceso del personal para entrar.
staff-set_title = Frase de acceso del personal
staff-set_text = Las pantallas del puesto de salud (vincular y quitar celulares, exportar) piden una frase de acceso que solo conoce el personal. Elija una de al menos 10 caracteres.
staff-title = Solo para el personal
staff-text = Escriba la frase de acceso del personal del puesto de salud.
staff-passphrase = Frase de acceso
staff-passphrase_again = Repita la frase de acceso
staff-set = Guardar frase
staff-open = Entrar
