# French dates as Django writes them, with the zone's abbreviation after a moment, as in every
# language (claims_site/formats/en): "1 décembre 2026 10:22 CET". Without it, French pages
# showed a deadline and the history with no zone (found in the issue 14 tryout).
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i T"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i T"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
