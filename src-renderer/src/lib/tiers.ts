// The three quality tiers as the writer reads them (the values are the contract's QualityTier).
import { TIER_NAMES, type QualityTier } from '$contract/settings';

export const TIERS: readonly QualityTier[] = ['budget', 'balanced', 'premium'];

export const TIER_INFO: Record<QualityTier, { label: string; blurb: string }> = {
  budget: {
    label: TIER_NAMES.budget,
    blurb: 'Free local models first; cheap cloud only where no local model has the skill.',
  },
  balanced: {
    label: TIER_NAMES.balanced,
    blurb: 'Best quality per dollar: local for simple work, strong cheap cloud for deep analysis.',
  },
  premium: { label: TIER_NAMES.premium, blurb: 'The highest-quality model for every task, whatever it costs.' },
};
