"""English dates as the site always wrote them ("2 Dec 2026"), where Django's
own English would say "12/02/2026". Russian uses Django's formats (02.12.2026).
Templates name the format (SHORT_DATE_FORMAT), so each language has its own."""

SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
