from qms.formats import inputs

SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS = inputs(["%d/%m/%Y", "%d/%m/%y"], ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M"])
