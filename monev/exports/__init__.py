"""Documents built from one report's figures for printing, download and archive."""
