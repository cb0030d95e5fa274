// The `stratus` command. Later tiers add their subcommands here (start, node, cluster).
import { readFileSync } from 'node:fs';

const USAGE = `usage: stratus <command> [options]

commands:
  sim [--seed-start S] [--runs N] [--nodes 3|5] [--verbose]
        run the deterministic Raft cluster simulator over seeds S..S+N-1
  version
        print the version
  help
        print this help
`;

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const v = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>).version : undefined;
  return typeof v === 'string' ? v : 'unknown';
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'sim': {
      const { simMain } = await import('../test/sim/cli.js');
      return simMain(rest);
    }
    case 'version':
    case '--version':
      process.stdout.write(`stratus ${version()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`stratus: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

// Output piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
