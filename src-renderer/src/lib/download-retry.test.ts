import { describe, expect, it } from 'vitest';
import { retryLabel } from './download-retry';

const failed = (reason: string) => ({ status: 'failed' as const, error: { reason, message: '' } });

describe('retryLabel', () => {
  it('offers Resume only where going on can help', () => {
    expect(retryLabel({ status: 'paused', error: null })).toBe('Resume');
    expect(retryLabel(failed('server_gone'))).toBe('Resume');
    expect(retryLabel(failed('disk_full'))).toBe('Resume');
    expect(retryLabel(failed('checksum_mismatch'))).toBe('Download again');
    // Not a model Quire can run: getting it again changes nothing (it offered Resume).
    expect(retryLabel(failed('invalid_file'))).toBeNull();
    expect(retryLabel({ status: 'downloading', error: null })).toBeNull();
  });
});
