// The CLI's argument parsing, shared by its commands.

export class UsageError extends Error {}

export interface ParsedArguments {
  words: string[];
  options: Map<string, string | true>;
}

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const words: string[] = [];
  const options = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (!argument.startsWith('--')) {
      words.push(argument);
      continue;
    }
    const [name, inline] = argument.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (inline !== undefined) options.set(name, inline);
    else if (argv[index + 1] !== undefined && !(argv[index + 1] as string).startsWith('--')) options.set(name, argv[++index] as string);
    else options.set(name, true);
  }
  return { words, options };
}


/** A failure to report in one line (exit code 1), without a stack trace. */
export class CliError extends Error {}
