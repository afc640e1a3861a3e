# As English (claims_site/formats/en), with month abbreviations in lower case as Spanish writes
# them (CLDR: "16 dic 2026"; Django's "M" capitalises them: "16 Dic 2026").
DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i T"
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
MONTH_DAY_FORMAT = "j b"
YEAR_MONTH_FORMAT = "b Y"
