# What an operation refuses or fails with (the command line and the app).

ops-rows_rejected = { $n ->
        [one] { $n } fila rechazada: no se importó nada
       *[other] { $n } filas rechazadas: no se importó nada
    }
ops-no_store = No hay datos de Ayllu en { $path } (ejecute `ayllu --data { $path } init`)
ops-not_enrolled = Este equipo aún no está registrado con el puesto de salud: pida un código de registro.
ops-code_refused = El código no es válido, ya se usó o venció. Pida uno nuevo en el puesto de salud.
ops-already_enrolled = Este celular ya está registrado en el puesto de salud. Para registrarlo de nuevo, pida al personal que primero le quite el acceso.
ops-key_revoked = El puesto de salud no aceptó la clave de este celular. Pida un código nuevo al personal.
ops-enroll_signature = El puesto de salud no pudo comprobar que este celular es quien dice ser. Vuelva a escribir el código completo; si sigue igual, avise al personal.
ops-bundle_unreadable = El archivo { $file } no se puede leer aquí: está dañado o incompleto, lo escribió otra versión de Ayllu, o es para otro equipo. No se cambió nada.
ops-unknown_device = No hay un equipo registrado con el número { $device }
ops-hub_off = Primero active el modo puesto de salud.
ops-export_failed = No se pudo guardar: { $reason }
ops-io = No se pudo leer o escribir { $path }: { $reason }
ops-store = Error interno del almacenamiento: { $reason }
ops-admin = Error del servidor del puesto de salud: { $reason }
ops-sync = La sincronización falló: { $reason }

## Talking to the health post (never "hub": a promotora knows the puesto de salud)
hub-cut = La conexión con el puesto de salud se cortó antes de recibir su respuesta. Puede que allá ya tengan lo enviado; aquí no se perdió nada: la próxima sincronización lo confirma.
hub-unreachable = No se puede conectar con el puesto de salud ({ $url }). ¿Hay señal? ¿Está encendido?
hub-unauthorized = El puesto de salud ya no reconoce este celular (401). Pida un nuevo código de registro.
hub-out_of_scope = Este celular envió hogares de comunidades que no tiene asignadas; el puesto de salud no los recibió.
hub-too_many_requests = El puesto de salud está atendiendo a muchos celulares; se volverá a intentar en un momento.
hub-timeout = La conexión se cortó mientras se enviaban los datos; se volverá a intentar.
hub-too_large = Lo enviado es demasiado grande para una sola vez; avise al personal del puesto de salud.
hub-internal = El puesto de salud tuvo un error interno; avise al personal.
hub-refused = El puesto de salud no aceptó la sincronización ({ $status }).
hub-not_understood = La respuesta del puesto de salud no se entendió; se volverá a intentar.
hub-wrong_certificate = La máquina en { $url } no es el puesto de salud de este celular (su certificado no coincide). No se envió nada. Si el puesto de salud cambió de computadora, pida un nuevo código de registro.
hub-plain_http = Este celular solo se conecta a su puesto de salud de forma segura (https://); no se envió nada a { $url }.
hub-re_enroll = El puesto de salud ahora usa una conexión segura: pida un nuevo código de registro para este celular. Sus datos siguen aquí.

## Why the other side did not take a household (refusal-<code>)
refusal-unreadable = el puesto de salud no pudo leer lo que se envió
refusal-invalid = los datos no cumplen las reglas del registro
refusal-shape = tiene datos que esta versión no conoce: actualice la aplicación
refusal-too_large = el hogar tiene demasiados datos para enviarse
refusal-out_of_scope = la comunidad de este hogar no está asignada a este celular
refusal-foreign_actor = tiene cambios que no se hicieron en este celular
refusal-transition = ese cambio solo lo puede hacer el personal del establecimiento
refusal-unknown = el puesto de salud no tiene este hogar: se enviará completo
refusal-later = se enviará en la próxima sincronización
refusal-other = el registro no es válido

## A record's fields, as a conflict names them (field-<key>)
field-address = Dirección
field-community = Comunidad
field-sector = Sector
field-consent = Consentimiento
field-gps = Ubicación GPS
field-water = Agua
field-sanitation = Servicio higiénico
field-floor = Piso
field-walls = Paredes
field-cooking_fuel = Combustible para cocinar
field-electricity = Electricidad
field-rooms = Habitaciones
field-given_names = Nombres
field-surnames = Apellidos
field-sex = Sexo
field-birth = Fecha
field-date = Fecha
field-relationship = Parentesco
field-dni = DNI
field-insurance = Seguro
field-education = Nivel educativo
field-pregnancy = Embarazo
field-expected_delivery = Fecha probable de parto
field-mother = Madre
field-notes = Notas
field-promotor = Promotor(a)
field-weight_kg = Peso
field-length = Talla
field-referral = Referencia
field-dissolved = Baja del hogar
field-corrected = Corrección
field-voided = Anulación
field-weight = Peso
field-fever = Fiebre
field-diarrhoea = Diarrea
field-cough = Tos o dificultad para respirar
field-danger_signs = Signos de peligro
field-breastfeeding = Lactancia materna
field-iron = Hierro
field-vitamin_a = Vitamina A
field-vaccination_card_seen = Carné de vacunación
field-vaccines_up_to_date = Vacunas al día
field-growth_check_up_to_date = Controles CRED
field-other = Dato
conflict-visit_of = Visita del { $date }
conflict-owned = { $owner }: { $what }
conflict-no_value = (sin dato)

## How numbers are written
number-decimal_separator = { "," }

## The command line
cli-invalid_input = dato no válido
cli-line = línea

## The lock on the data folder (PIN or staff passphrase)
lock-wrong = { $secs ->
        [0] PIN incorrecto. Inténtelo de nuevo.
       *[other] PIN incorrecto ({ $n } veces seguidas). Espere { $secs } segundos antes de intentarlo de nuevo.
    }
lock-too_soon = Demasiados intentos equivocados: espere { $secs } segundos.
lock-other_device = Estos datos están sellados a otro equipo y no se abren aquí, con ningún PIN. Si es su celular y lo restablecieron, vincúlelo otra vez con el puesto de salud: sus hogares vuelven al sincronizar.
lock-keystore = No se pudo usar el llavero de este equipo ({ $reason }): sin él estos datos no se abren. Reinicie el equipo e intente de nuevo.
lock-corrupt = El archivo de bloqueo de los datos no es válido ({ $reason }). Avise al personal del puesto de salud.
lock-none = Estos datos todavía no tienen PIN.
cli-insecure_http = AVISO: conexión sin cifrar (--insecure-http). Cualquiera en la red puede leer los nombres y DNI que viajan y hacerse pasar por el puesto de salud. Úsela solo para pruebas.
cli-no_pin = falta el PIN de estos datos: use --pin-file ARCHIVO o la variable AYLLU_PIN
cli-no_passphrase = falta la frase de acceso del personal: use --pin-file ARCHIVO o la variable AYLLU_PASSPHRASE
lock-locked = Escriba su PIN para entrar.

history-this_device = este equipo
history-op-household-create = Hogar registrado
history-op-household-edit = Datos del hogar cambiados
history-op-household-dissolve = Hogar dado de baja
history-op-import-csv = Importado de una planilla
history-op-member-add = Integrante agregado
history-op-member-edit = Integrante cambiado
history-op-member-remove = Integrante quitado
history-op-visit-record = Visita registrada
history-op-visit-correct = Visita corregida
history-op-visit-void = Visita anulada
history-op-visit-referral_attended = Referencia marcada como atendida
history-op-visit-referral_attended_undone = Referencia: se deshizo «atendida»
history-op-delivery-record = Parto registrado
history-op-conflict-resolve = Dato en conflicto elegido
history-op-other = Cambio
