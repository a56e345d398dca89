// The tournament channels over the real HTTP host: custom endpoints on the loopback fake provider as members.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addThreeEndpoints, useExecutionHarness } from '../../test/support/execution-harness';
import { useTempDir } from '../../test/support/temp-dir';

const h = useExecutionHarness();
const tempDir = useTempDir('quire-tournament-manuscript-');
const eyes = (claim: string) => ({
  claim,
  evidence: [{ quote: 'her blue eyes flashed', location: 'Chapter 12' }],
  severity: 'high',
  suggestion: null,
});
const MANUSCRIPT =
  'Chapter 3. Mara pushed the hair from her green eyes.\n\nChapter 12. She turned, her blue eyes flashed.';

describe('tournaments:* channels', () => {
  it('runs a three-model continuity check, then gets, lists and resolves it', async () => {
    const host = await h.host();
    await addThreeEndpoints(host, 8.5);
    h.server().script('gpt-x', { json: { findings: [eyes("Mara's eye colour changes from green to blue")] } });
    h.server().script('claude-y', { json: { findings: [eyes("Mara's eyes are green in ch. 3 but blue in ch. 12")] } });
    h.server().script('deepseek-z', {
      json: {
        findings: [
          {
            claim: 'The harbour is never described again',
            evidence: [{ quote: 'watched the harbour', location: null }],
            severity: 'low',
            suggestion: null,
          },
        ],
      },
    });

    const started = await host.call('tournaments:start', { task: 'continuity_check', input: MANUSCRIPT });
    expect(started.body.ok).toBe(true);
    const t = started.body.value;
    expect(t.members).toHaveLength(3);
    expect(t.findings.map((f: { status: string }) => f.status)).toEqual(['consensus', 'disputed']);
    expect(t.findings[0].supporters).toHaveLength(2);
    expect(t.findings[1].evidence).toEqual([{ quote: 'watched the harbour', location: null, found: false }]);
    expect(t.confidence.value).toBeGreaterThan(0);
    expect(t.confidence.ingredients).toHaveProperty('agreement');

    expect((await host.call('tournaments:get', { tournament_id: t.id })).body.value).toEqual(t);
    const list = await host.call('tournaments:list');
    expect(list.body.value).toEqual([
      expect.objectContaining({ id: t.id, counts: { consensus: 1, disputed: 1, contradicted: 0 } }),
    ]);
    const resolved = await host.call('tournaments:resolve', {
      tournament_id: t.id,
      finding_id: 'f1',
      verdict: 'accept',
    });
    expect(resolved.body.value.findings[0].resolution).toBe('accepted');
    const spend = await host.call('spend:current');
    expect(spend.body.value.spend_usd).toBeCloseTo(t.cost_usd, 6);
  });

  it('keeps the manuscript it ran on, so reopened it names it; and says when it has been removed since', async () => {
    const host = await h.host();
    await addThreeEndpoints(host, 8.5);
    for (const model of ['gpt-x', 'claude-y', 'deepseek-z'])
      h.server().script(model, { json: { findings: [eyes("Mara's eye colour changes")] } });
    const path = join(tempDir(), 'The Lighthouse Keeper.md');
    writeFileSync(path, MANUSCRIPT);
    const manuscript = (await host.call('manuscripts:open', { path })).body.value as { id: string };
    const started = await host.call('tournaments:start', {
      task: 'continuity_check',
      input: MANUSCRIPT,
      manuscript: { id: manuscript.id, offset: 0 },
    });
    expect(started.body.ok).toBe(true);
    const id = started.body.value.id as string;
    // It was not kept: reopened with another text on screen, nothing said which manuscript to open.
    expect((await host.call('tournaments:get', { tournament_id: id })).body.value.manuscript).toEqual({
      id: manuscript.id,
      title: 'The Lighthouse Keeper',
      offset: 0,
    });
    expect((await host.call('manuscripts:delete', { id: manuscript.id })).body.ok).toBe(true);
    expect((await host.call('tournaments:get', { tournament_id: id })).body.value.manuscript).toEqual({
      id: manuscript.id,
      title: null,
      offset: 0,
    });
    // A pasted passage has none.
    const pasted = await host.call('tournaments:start', { task: 'continuity_check', input: MANUSCRIPT });
    const got = await host.call('tournaments:get', { tournament_id: pasted.body.value.id });
    expect(got.body.value).not.toHaveProperty('manuscript');
  });

  it('tournaments:cancel stops a running tournament: its members stop, each charged by the ledger’s rule, and it ends as stopped', async () => {
    const host = await h.host();
    await addThreeEndpoints(host, 8.5);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    for (const model of ['gpt-x', 'claude-y', 'deepseek-z'])
      h.server().script(model, { json: { findings: [eyes("Mara's eye colour changes")] }, gate });
    try {
      const running = host.call('tournaments:start', { task: 'continuity_check', input: MANUSCRIPT });
      // Every member's request has reached its provider, none has answered.
      while (h.server().requests.length < 3) await new Promise((resolve) => setImmediate(resolve));
      const [listed] = (await host.call('tournaments:list')).body.value;
      expect(listed.status).toBe('running');
      // There was no way to stop one: it ran to its end, or until Quire quit.
      expect((await host.call('tournaments:cancel', { tournament_id: listed.id })).body.value).toEqual({
        cancelled: true,
      });
      const ended = (await running).body.value;
      expect(ended.id).toBe(listed.id);
      expect(ended.status).toBe('failed');
      expect(ended.error).toEqual({
        code: 'cancelled',
        message: expect.stringMatching(/^You stopped this tournament\. /),
      });
      expect(ended.members.map((m: { error: unknown }) => m.error)).toEqual(
        Array(3).fill({ code: 'cancelled', message: 'Stopped with the tournament before it had answered.' }),
      );
      // What it cost is what the month counts, and nothing is left held.
      const spend = (await host.call('spend:current')).body.value;
      expect(spend.reserved_usd).toBe(0);
      expect(spend.spend_usd).toBeCloseTo(ended.cost_usd, 6);
      expect((await host.call('tournaments:get', { tournament_id: ended.id })).body.value.status).toBe('failed');
      // One that is not running (ended, or never was) is not stopped.
      expect((await host.call('tournaments:cancel', { tournament_id: ended.id })).body.value).toEqual({
        cancelled: false,
      });
    } finally {
      release();
    }
  });

  it('tournaments:cancel while the verifier reviews ends the check as stopped, not as an answer without a verdict', async () => {
    const host = await h.host();
    await addThreeEndpoints(host, 8.5);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.server().script('gpt-x', { json: { findings: [eyes("Mara's eye colour changes")] } });
    for (const model of ['claude-y', 'deepseek-z'])
      h.server().script(model, { json: { verdict: 'approve', issues: [] }, gate });
    try {
      const running = host.call('tournaments:start', {
        task: 'continuity_check',
        input: MANUSCRIPT,
        mode: 'verification',
      });
      // The primary has answered and the verifier has its request.
      while (h.server().requests.length < 2) await new Promise((resolve) => setImmediate(resolve));
      const [listed] = (await host.call('tournaments:list')).body.value;
      expect((await host.call('tournaments:cancel', { tournament_id: listed.id })).body.value).toEqual({
        cancelled: true,
      });
      const ended = (await running).body.value;
      // It read "done", its confidence "without a verdict", as if the verifier had had nothing to say.
      expect(ended.status).toBe('failed');
      expect(ended.error.code).toBe('cancelled');
      expect((await host.call('spend:current')).body.value.reserved_usd).toBe(0);
    } finally {
      release();
    }
  });

  it('refuses bad input and unknown ids with codes', async () => {
    const host = await h.host();
    const bad = await host.call('tournaments:start', { task: 'continuity_check', input: 'x', n: 9 });
    expect(bad.body.error).toMatchObject({ code: 'invalid_input', path: 'n' });
    const missing = await host.call('tournaments:get', { tournament_id: 'nope' });
    expect(missing.body.error.code).toBe('not_found');
    const none = await host.call('tournaments:start', { task: 'continuity_check', input: MANUSCRIPT });
    expect(none.body.error.code).toBe('unavailable');
  });
});
