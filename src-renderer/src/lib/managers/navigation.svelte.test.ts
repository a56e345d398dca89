import { describe, expect, it } from 'vitest';
import { FakeApi } from '../../../../test/renderer/fake-api';
import { NavigationManager, type NavigationHost } from './navigation.svelte';

/** A window's hash, with the writer's own hash changes as a method. */
class FakeHost implements NavigationHost {
  hash: string;
  replaced: string[] = [];
  #listeners = new Set<() => void>();

  constructor(hash = '') {
    this.hash = hash;
  }
  replaceHash(hash: string): void {
    this.hash = hash;
    this.replaced.push(hash);
  }
  onHashChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  /** The writer goes back, or types an address. */
  navigate(hash: string): void {
    this.hash = hash;
    for (const listener of this.#listeners) listener();
  }
  get listening(): number {
    return this.#listeners.size;
  }
}

describe('NavigationManager', () => {
  it('starts on the screen the address names, or the Workbench', () => {
    expect(new NavigationManager(new FakeApi(), new FakeHost('#/spend')).view).toBe('spend');
    expect(new NavigationManager(new FakeApi(), new FakeHost('#models')).view).toBe('models');
    expect(new NavigationManager(new FakeApi(), new FakeHost('#/nowhere')).view).toBe('workbench');
    expect(new NavigationManager(new FakeApi(), new FakeHost('')).view).toBe('workbench');
  });

  it('keeps the address in step without adding history entries', () => {
    const host = new FakeHost('#/workbench');
    const navigation = new NavigationManager(new FakeApi(), host);
    navigation.go('settings');
    expect(navigation.view).toBe('settings');
    expect(host.replaced).toEqual(['#/settings']);
    navigation.go('settings');
    expect(host.replaced).toEqual(['#/settings']);
  });

  it('follows the address and the app menu until unsubscribed', () => {
    const fake = new FakeApi();
    const host = new FakeHost('#/workbench');
    const navigation = new NavigationManager(fake, host);
    const off = navigation.listen();
    host.navigate('#/models');
    expect(navigation.view).toBe('models');
    fake.emit('app:navigate', { view: 'spend' });
    expect(navigation.view).toBe('spend');
    expect(host.hash).toBe('#/spend');
    fake.emit('app:navigate', { view: 'no-such-view' });
    expect(navigation.view).toBe('spend');
    off();
    expect(host.listening).toBe(0);
    expect(fake.listenerCount('app:navigate')).toBe(0);
  });

  it('reset() goes back to the Workbench', () => {
    const navigation = new NavigationManager(new FakeApi(), new FakeHost('#/spend'));
    navigation.reset();
    expect(navigation.view).toBe('workbench');
  });
});
