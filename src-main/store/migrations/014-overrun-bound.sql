-- What Quire bounded a call at, before the hold was raised for a model that overran this month. A model's overrun
-- multiple is what it charged over this bound: measured against the raised hold, a second overrun gave a multiple
-- relative to the first one's, the next hold was too small, and a call crossed the budget. Null for rows written
-- before this column (their hold is their bound) and for holds never raised.
ALTER TABLE ledger ADD COLUMN bound_micros INTEGER CHECK (bound_micros IS NULL OR bound_micros >= 0);
