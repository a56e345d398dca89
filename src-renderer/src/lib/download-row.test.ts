import { describe, expect, it } from 'vitest';
import type { DownloadInfo } from '$contract/models';
import { downloadRow } from './download-row';

const item = (over: Partial<DownloadInfo> = {}) =>
  ({
    id: 'd1',
    name: 'Story Helper',
    status: 'downloading',
    received: 10,
    total: 100,
    error: null,
    ...over,
  }) as DownloadInfo;

describe('a row of the Downloads list', () => {
  it('says "Checking" while a finished download is checked, as the list still has it downloading', () => {
    // Every byte has arrived (pushed progress), but the list was read while the transfer ran.
    const row = downloadRow(item(), { kind: 'checking', received: 100, total: 100 });
    expect(row).toMatchObject({
      status: 'Checking the file…',
      bar: 'Checking Story Helper… (its checksum, its model header and a test load)',
      pause: false,
      retry: null,
      cancel: false,
      live: false,
    });
  });

  it('is as before while bytes arrive, once paused and after a failure', () => {
    const state = { kind: 'downloading', received: 10, total: 100, bytes_per_s: 5, eta_s: 18 } as const;
    expect(downloadRow(item(), state)).toMatchObject({ status: 'Downloading', pause: true, cancel: true, live: true });
    expect(downloadRow(item({ status: 'paused' }), { kind: 'paused', received: 10, total: 100 })).toMatchObject({
      status: 'Paused',
      pause: false,
      retry: 'Resume',
      cancel: true,
    });
    const failed = item({ status: 'failed', error: { reason: 'checksum_mismatch', message: 'Corrupt.' } as never });
    expect(downloadRow(failed, { kind: 'failed', message: 'Corrupt.', retry: 'Download again' })).toMatchObject({
      status: 'Failed',
      retry: 'Download again',
      cancel: true,
    });
  });
});
