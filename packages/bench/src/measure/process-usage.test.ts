import { parseLoadAverage, parseMachineCpu, parseRssBytes, parseStat } from './process-usage';

describe('/proc parsing', () => {
  it('reads VmRSS in bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t   81234 kB\nRssAnon:\t 1 kB\n')).toBe(81_234 * 1_024);
    expect(parseRssBytes('Name:\tzombie\n')).toBeUndefined();
  });

  it('reads parent pid and CPU seconds even when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (sender) x) S 4000 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 1 2 3';
    expect(parseStat(stat)).toEqual({ parentPid: 4000, cpuSeconds: 3 });
  });

  it('counts idle and iowait as not busy', () => {
    expect(parseMachineCpu('cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n')).toEqual({ busy: 150, total: 1_000 });
  });

  it('reads the three load averages', () => {
    expect(parseLoadAverage('3.41 2.05 1.20 4/812 91234\n')).toEqual([3.41, 2.05, 1.2]);
    expect(parseLoadAverage('')).toBeUndefined();
  });
});
