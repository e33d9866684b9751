// Replaced by the ledger crash-test child.
