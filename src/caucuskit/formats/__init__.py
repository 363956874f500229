"""File formats in and out: election definitions, IDP results, canonical reports, county SDEs."""
