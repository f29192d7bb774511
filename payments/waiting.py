"""The SQL that works out the waiting list from the ledger and the run items, for
payments.services.waiting_lines_rebuild. Migration 0003 keeps its own copy of the text as
it was then: a migration is history, so it must not change when this does."""

REBUILD = """
INSERT INTO payments_waitingline (line_id, programme_id, mentor_id, earned_on, amount)
SELECT l.id, l.programme_id, l.mentor_id, l.earned_on, l.amount
FROM payments_ledgerline l
WHERE l.amount <> 0
  AND NOT EXISTS (
    SELECT 1 FROM payments_runitem r
    WHERE r.line_id = l.id AND r.status NOT IN ('failed', 'removed')
  )
"""
