-- At start-up, tournaments a crash left running are marked failed (TournamentRepo.markInterrupted): this index holds
-- only the running ones, so that look reads none of the finished tournaments.
CREATE INDEX tournaments_running ON tournaments (id) WHERE status = 'running';
