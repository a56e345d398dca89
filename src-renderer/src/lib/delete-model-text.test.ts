import { describe, expect, it } from 'vitest';
import type { InstalledModel } from '$contract/models';
import { deleteModelText, type DeleteContext } from './delete-model-text';

const model = (id: string, extra: Partial<InstalledModel> = {}): InstalledModel => ({
  id,
  name: `Model ${id}`,
  file: `/models/${id}.gguf`,
  size_bytes: 4_683_073_952,
  sha256: 'a'.repeat(64),
  verified_against: 'hf_lfs_oid',
  source: 'catalog',
  catalog_id: id,
  registry_model_id: `reg-${id}`,
  architecture: 'qwen2',
  context_length: 32768,
  added_at: '2026-12-07T00:00:00.000Z',
  resident: false,
  ...extra,
});

const PACK = 'Your model pack “Mixed (best per task)” uses it for 2 tasks; until you edit the pack, …';
const context = (extra: Partial<DeleteContext> = {}): DeleteContext => ({
  installed: [model('qwen')],
  cloudReady: 0,
  orchestrator: { enabled: true, force_local: true },
  packUse: (ids) => (ids.includes('reg-qwen') ? PACK : null),
  ...extra,
});

describe('deleteModelText', () => {
  it('tells a writer keeping everything on this Mac that their only model leaves nothing to run', () => {
    expect(deleteModelText(model('qwen'), context())).toBe(
      'Model qwen (4.7 GB) will be removed from this Mac. You can download it again later. It is the only model ' +
        'Quire can use while “Keep everything on this Mac” is on: no task can run until you download or add another.',
    );
  });

  it('says nothing can run when no cloud model has a key either, and nothing when another model can', () => {
    const open = { enabled: true, force_local: false };
    expect(deleteModelText(model('qwen'), context({ orchestrator: open }))).toContain(
      'It is the only model Quire can use: no task can run until you download or add another, or add an API key ' +
        'in Settings.',
    );
    expect(deleteModelText(model('qwen'), context({ orchestrator: open, cloudReady: 3 }))).not.toContain('only');
    const two = [model('qwen'), model('phi')];
    expect(deleteModelText(model('qwen'), context({ installed: two }))).not.toContain('only');
    // A model that can never be loaded is no model to run on.
    const broken = [model('qwen'), model('phi', { unusable: 'its test load crashed' })];
    expect(deleteModelText(model('qwen'), context({ installed: broken }))).toContain('It is the only model');
  });

  it('brings up the packs only when they decide (automatic selection off), or when that is not known yet', () => {
    expect(deleteModelText(model('qwen'), context())).not.toContain('model pack');
    const manual = { enabled: false, force_local: false };
    expect(deleteModelText(model('qwen'), context({ orchestrator: manual, cloudReady: 1 }))).toBe(
      `Model qwen (4.7 GB) will be removed from this Mac. You can download it again later. ${PACK}`,
    );
    expect(deleteModelText(model('qwen'), context({ orchestrator: null }))).toContain(PACK);
  });

  it('says the imported file is left where it was', () => {
    expect(deleteModelText(model('mine', { source: 'import' }), context({ cloudReady: 1 }))).toContain(
      'The file you imported it from is not touched.',
    );
  });
});
