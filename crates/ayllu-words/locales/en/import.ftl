# The census CSV import: why a row is refused, beyond a field's own problem.

import-yes_or_no = write yes or no
import-differs = differs from line { $line } of the same household (“{ $value }”)
