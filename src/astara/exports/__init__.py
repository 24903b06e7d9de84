"""Report once, file many: Astara's template, the UNODC IDS layout, JSON lines and GeoJSON."""
