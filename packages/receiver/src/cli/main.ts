#!/usr/bin/env node
import { parseReceiverArguments, RECEIVER_USAGE, ReceiverUsageError } from '../arguments';
import { startReceiver } from '../receiver';

// `npm run receiver -- --port 4000 --secret dotsecret.…`: see RECEIVER_USAGE. Exit codes:
// 0 stopped by a signal, 1 could not listen, 2 bad usage.
async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(RECEIVER_USAGE);
    return;
  }
  let options;
  try {
    options = parseReceiverArguments(argv, process.env);
  } catch (error) {
    if (!(error instanceof ReceiverUsageError)) throw error;
    console.error(`hookstream receiver: ${error.message}\n\n${RECEIVER_USAGE}`);
    process.exitCode = 2;
    return;
  }
  const receiver = await startReceiver({
    ...options,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  const behaviour = [
    options.fail ? 'answering 500 to every delivery (--fail)' : options.failFirst > 0 ? `answering 500 to the first ${options.failFirst} deliveries` : 'answering 200',
    ...(options.delayMs > 0 ? [`after a ${options.delayMs} ms delay`] : []),
  ].join(' ');
  console.log(`hookstream receiver listening on ${receiver.url} (any path); verifying signatures and timestamps (±${options.toleranceSeconds} s); ${behaviour}`);
  const stop = () => {
    void receiver.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`hookstream receiver: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
