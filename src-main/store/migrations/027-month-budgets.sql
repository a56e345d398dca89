-- The monthly budget each month had: a month gone by is read against its own budget, not the one set today (a writer
-- who raised theirs in December would otherwise see October "over budget", or within one it crossed). A row is
-- written for the month the budget is set in (the last value set that month wins) and when Quire starts in a month
-- with none; a month without a row had the budget of the latest month before it that has one. A month before the
-- first row is from before Quire kept budgets: not known, and said so, never guessed. NULL budget_micros: no budget.
CREATE TABLE month_budgets (
  month TEXT PRIMARY KEY,
  budget_micros INTEGER CHECK (budget_micros IS NULL OR budget_micros >= 0),
  set_at TEXT NOT NULL
) STRICT;
