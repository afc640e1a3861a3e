# Canadian French shows dates as French does, on the one 24-hour clock: Django's own fr_CA
# formats write the hour as "H\xa0h\xa0i", whose "h" is the 12-hour clock ("23 11 59" for
# 23:59). Input formats stay Django's fr_CA ones (ISO dates).
# A moment carries its zone, as in every language (claims_site/formats/en).
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i T"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
