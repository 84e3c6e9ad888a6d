"""Paying for the work: the ledger, review, settlement, earnings, payouts and bonuses."""
