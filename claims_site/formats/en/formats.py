# One way to write a date and a moment on every page, e-mail and admin list (FORMAT_MODULE_PATH):
# "1 Dec 2026" and "1 Dec 2026, 10:22 EST", in the reader's time zone (TimezoneMiddleware).
# Day, month name and year cannot be misread the way 01/12/2026 can. Input formats are Django's.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
