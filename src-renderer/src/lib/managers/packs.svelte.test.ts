import { describe, expect, it } from 'vitest';
import { withFakeApi } from '../../../../test/renderer/fake-api';
import { packList } from '../../../../test/renderer/fixtures';
import { PacksManager } from './packs.svelte';

const setup = () => withFakeApi((api) => new PacksManager(api));

describe('PacksManager', () => {
  it('lists the packs and which one is active', async () => {
    const { fake, manager } = setup();
    fake.answer('packs:list', packList('mixed', ['mixed', 'mine']));
    await manager.load();
    expect(manager.active).toBe('mixed');
    expect(manager.packs.map((pack) => pack.name)).toEqual(['mixed', 'mine']);
  });

  it('activates a pack and shows the list the host answers with', async () => {
    const { fake, manager } = setup();
    fake.answer('packs:activate', ({ name }) => packList(name, ['mixed', name]));
    const activating = manager.activate('mine');
    expect(manager.busy).toBe(true);
    await expect(activating).resolves.toBe(true);
    expect(manager.busy).toBe(false);
    expect(manager.active).toBe('mine');
  });

  it('keeps the list and shows the error when an action fails; success clears it', async () => {
    const { fake, manager } = setup();
    fake.answer('packs:list', packList('mixed', ['mixed', 'mine']));
    await manager.load();
    fake.fail('packs:delete', 'conflict', 'The active pack cannot be deleted');
    await expect(manager.remove('mixed')).resolves.toBe(false);
    expect(manager.error).toMatchObject({ code: 'conflict' });
    expect(manager.packs).toHaveLength(2);
    fake.answer('packs:delete', packList('mixed', ['mixed']));
    await manager.remove('mine');
    expect(manager.error).toBeNull();
    expect(manager.packs).toHaveLength(1);
  });

  it('saves a pack and reloads the list; a refusal stays beside the editor until cleared', async () => {
    const { fake, manager } = setup();
    fake.answer('packs:save', packList('mixed', ['mine']).packs[0]!);
    fake.answer('packs:list', packList('mixed', ['mixed', 'mine']));
    await expect(manager.save({ name: 'mine', tasks: { line_edit: 'gpt' } })).resolves.toBe(true);
    expect(manager.packs.map((pack) => pack.name)).toEqual(['mixed', 'mine']);
    // Pack names are lower-case: the contract refuses this one as the host would.
    await expect(manager.save({ name: 'Mine!' })).resolves.toBe(false);
    expect(manager.saveError).toMatchObject({ code: 'invalid_input' });
    expect(manager.error).toBeNull();
    manager.clearSaveError();
    expect(manager.saveError).toBeNull();
  });

  it('never shows a list loaded before an action over the action’s answer; reset() forgets it', async () => {
    const { fake, manager } = setup();
    const lists = fake.hold('packs:list');
    const loading = manager.load();
    fake.answer('packs:activate', packList('mine', ['mixed', 'mine']));
    await manager.activate('mine');
    (await lists.next()).resolve(packList('mixed', ['mixed', 'mine']));
    await loading;
    expect(manager.active).toBe('mine');
    manager.reset();
    expect(manager.packs).toEqual([]);
    expect(manager.active).toBeNull();
  });

  it('says which packs use models about to be removed, so deleting them is not a surprise', async () => {
    const { fake, manager } = setup();
    const list = packList('mine', ['mixed', 'mine']);
    list.packs[1]!.tasks = { line_edit: 'fake/atlas', continuity_check: 'fake/atlas', brainstorm: 'gpt' };
    fake.answer('packs:list', list);
    await manager.load();
    expect(manager.usedBy(['fake/atlas', 'fake/boreal'])).toBe(
      'Your model pack “Pack mine” uses it for 2 tasks; until you edit the pack, Quire runs them on a local model if ' +
        'one is installed, and otherwise cannot run them.',
    );
    expect(manager.usedBy(['gpt'])).toBe(
      'Your model packs “Pack mixed” and “Pack mine” use it for 2 tasks; until you edit them, Quire runs them on a ' +
        'local model if one is installed, and otherwise cannot run them.',
    );
    expect(manager.usedBy(['nobody'])).toBeNull();
  });

  it('a built-in pack is said only while it is the one in use, and is changed rather than edited', async () => {
    // Removing a DeepSeek key named no pack, though the writer's own pack ran 7 tasks on DeepSeek; the built-in packs
    // that map tasks to it (not the writer's, and never edited) are said only when one of them is the pack in use.
    const { fake, manager } = setup();
    const list = packList('cheap', ['cheap', 'mine']);
    list.packs[0] = { ...list.packs[0]!, builtin: true, tasks: { line_edit: 'deepseek-chat' } };
    list.packs[1]!.tasks = { line_edit: 'gpt' };
    fake.answer('packs:list', list);
    await manager.load();
    expect(manager.usedBy(['deepseek-chat'])).toBe(
      'Your model pack “Pack cheap” uses it for 1 task; until you choose another pack, Quire runs it on a local ' +
        'model if one is installed, and otherwise cannot run it.',
    );
    fake.answer('packs:list', { ...list, active: 'mine' });
    await manager.load();
    expect(manager.usedBy(['deepseek-chat'])).toBeNull();
  });
});
