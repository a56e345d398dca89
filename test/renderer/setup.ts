// Every renderer test: a call the fake could not answer, or an input the contract refuses, fails the test that made it.
import { afterEach, expect } from 'vitest';
import { takeProblems } from './fake-api';

afterEach(() => {
  expect(takeProblems(), 'calls the fake host could not answer').toEqual([]);
});
