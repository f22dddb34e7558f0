// Column-role guesses from the names people use (web/app/detect.js): time, event and ID columns
// such as patient;months;died, os/os_status, pfs; a censoring indicator (1 = censored) is taken for
// the event only when no event column is there, marked to be read the other way round, and never
// offered as a covariate.
import { describe, it, expect } from 'vitest';
import { guessRoles, looksLikeCensoring } from '../../web/app/detect.js';

const num = (name, { levels = null, distinct = 50, unique = false, nonNegative = true } = {}) => ({ name, kind: 'number', missing: 0, levels, distinct, unique, nonNegative, integer: false });
const binary = (name) => num(name, { levels: ['0', '1'], distinct: 2 });
const text = (name, { unique = false } = {}) => ({ name, kind: 'text', missing: 0, levels: null, distinct: null, unique });

describe('guessRoles', () => {
  it('patient;months;died', () => {
    const g = guessRoles({ columns: [text('patient', { unique: true }), num('months'), binary('died'), num('age')] });
    expect([g.time, g.event, g.id]).toEqual(['months', 'died', 'patient']);
    expect(g.covariates).toEqual(['age']);
  });
  it('os (a time) with os_status; pfs (0/1) is an event-like column, not a covariate', () => {
    const g = guessRoles({ columns: [num('subject_no', { unique: true }), num('os'), binary('os_status'), binary('pfs'), num('ki67')] });
    expect([g.time, g.event, g.id]).toEqual(['os', 'os_status', 'subject_no']);
    expect(g.covariates).toEqual(['ki67']);
  });
  it('a 0/1 column is never the time', () => {
    const g = guessRoles({ columns: [binary('os'), num('survival_months'), num('x1')] });
    expect(g.time).toBe('survival_months');
    expect(g.event).toBe('os');
  });
  it('a censoring indicator is offered as the event read the other way round, never as a covariate', () => {
    const g = guessRoles({ columns: [text('case_id', { unique: true }), num('futime'), binary('censored'), num('age')] });
    expect(g.time).toBe('futime');
    expect(g.event).toBe('censored');
    expect(g.eventCensored).toBe(true);
    expect(g.covariates).toEqual(['age']);
    expect(g.outcomeLike.has('censored')).toBe(true);
  });
  it('an event column wins over a censoring indicator', () => {
    const g = guessRoles({ columns: [num('futime'), binary('censor'), binary('status'), num('age')] });
    expect(g.event).toBe('status');
    expect(g.eventCensored).toBe(false);
    expect(g.covariates).toEqual(['age']);
  });
  it('a censoring name is recognised in its usual spellings, not inside other words', () => {
    for (const n of ['censored', 'Censor', 'os_censor', 'cens', 'censoring_flag']) expect(looksLikeCensoring(n), n).toBe(true);
    for (const n of ['census_tract', 'licensed', 'status']) expect(looksLikeCensoring(n), n).toBe(false);
  });
});
