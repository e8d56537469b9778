# The census CSV import: why a row is refused, beyond a field's own problem.

import-yes_or_no = escriba sí o no
import-differs = no coincide con la línea { $line } del mismo hogar («{ $value }»)
