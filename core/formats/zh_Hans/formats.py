"""Simplified Chinese groups digits by three with a comma, as CLDR has it ("12,207", "€32,500.00"); Django's own
zh_Hans formats group by four without a separator, which printed money and counts as "12207"."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
