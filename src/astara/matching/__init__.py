"""Cross-script matching of persons, vehicles and organizations: name keys, plates, VINs, company
fingerprints and an explained, versioned matcher (``service.match_records``, ``astara match pairs``)."""
