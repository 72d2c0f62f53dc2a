"""Loading landing files: the input contract, the rule catalogue, the readers (as-is or through a
column mapping) and the ledger that keeps the working database equal to the landing folder."""
