/** One fenced code block of a Markdown page, with the attributes of its info string. */
export interface CodeBlock {
  language: string;
  /** `key="value"` pairs and bare words (`background` → ''). */
  attributes: Record<string, string>;
  code: string;
  /** The line of the opening fence (1-based). */
  line: number;
}

/**
 * The fenced code blocks of a page, in order. An info string such as
 * `sh background ready="hookstream is running"` gives the language (`sh`) and attributes;
 * renderers show only the language.
 */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const open = /^(```+|~~~+)\s*([^\s`]*)\s*(.*)$/.exec(lines[index] as string);
    if (!open) continue;
    const fence = open[1] as string;
    const attributes: Record<string, string> = {};
    for (const match of (open[3] as string).matchAll(/([\w-]+)(?:="((?:[^"\\]|\\.)*)")?/g)) {
      attributes[match[1] as string] = (match[2] ?? '').replace(/\\(.)/g, '$1');
    }
    const body: string[] = [];
    const start = index + 1;
    for (index += 1; index < lines.length && !(lines[index] as string).startsWith(fence); index += 1) body.push(lines[index] as string);
    blocks.push({ language: open[2] as string, attributes, code: body.join('\n'), line: start });
  }
  return blocks;
}
