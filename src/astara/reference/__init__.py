"""Reference totals: what countries reported to UNODC per drug and year, to set recorded seizures against."""
