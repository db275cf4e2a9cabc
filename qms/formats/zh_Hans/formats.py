from qms.formats import inputs

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS = inputs(["%Y/%m/%d", "%Y年%m月%d日"], ["%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"])
