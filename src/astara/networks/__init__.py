"""Networks of persons, organisations, vehicles, phones and documents linked through seizures; timelines."""
