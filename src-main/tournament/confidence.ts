// The confidence formula lives in the orchestrator (pure, below runs and tournaments, which both use it).
export * from '../orchestrator/confidence';
