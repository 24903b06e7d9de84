"""Questions asked of the records: counts, quantities and shares by any dimension."""
