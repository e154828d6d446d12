import { codeBlocks } from './markdown-blocks';

describe('codeBlocks', () => {
  it('reads fenced blocks in order, with the language and attributes of the info string', () => {
    const page = [
      'Intro',
      '```sh background ready="hookstream is running"',
      'npm start',
      '```',
      'Between',
      '```sh wait-for="→ 500" until="\\"status\\":\\"retrying\\""',
      'curl -sS http://127.0.0.1:8080/v1/webhook-logs',
      'echo done',
      '```',
      '```text',
      'output',
      '```',
    ].join('\n');
    expect(codeBlocks(page)).toEqual([
      { language: 'sh', attributes: { background: '', ready: 'hookstream is running' }, code: 'npm start', line: 2 },
      { language: 'sh', attributes: { 'wait-for': '→ 500', until: '"status":"retrying"' }, code: 'curl -sS http://127.0.0.1:8080/v1/webhook-logs\necho done', line: 6 },
      { language: 'text', attributes: {}, code: 'output', line: 10 },
    ]);
  });
});
