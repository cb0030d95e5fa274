// The `stratus` command: start (embedded), node (one process of a deployment), cluster (local
// multi-process cluster), sim (the deterministic Raft simulator).
import { readFileSync } from 'node:fs';
import { OptionError, optionsHelp } from './options.js';

const USAGE = `usage: stratus <command> [options]

commands:
  start [--data DIR] [--grpc-port 50051] [--http-port 4566] [--host 127.0.0.1]
        the embedded server: every role in one process, one replica per group, data in DIR
        (default ./.stratus); stops cleanly on SIGINT/SIGTERM
  node --role storage|scheduler|gateway|all --id N --peers 1=host:port,... [--data DIR] [options]
        one process of a multi-node deployment
  cluster up [--nodes 3] [--dir DIR] [--base-port 7101] [--grpc-port 50051] [--http-port 4566]
        start a local cluster of separate processes on 127.0.0.1 and wait until it is healthy
  cluster down [--dir DIR]      stop it (every process, by pid)
  cluster status [--dir DIR]    nodes, groups, leaders, lag
  cluster drain NODE_ID [--endpoint host:port] [--dir DIR] [--timeout 600]
        move a storage node's replicas to the other nodes, then mark it removed (follows
        progress until then; --timeout 0 returns at once)
  cluster undrain NODE_ID [--endpoint host:port] [--dir DIR]   cancel a drain
  logs tail (FUNCTION | --log-group NAME) [--endpoint 127.0.0.1:50051] [--since 10m] [--no-follow]
        print a function's invocation logs (or a Step Functions log group's execution logs)
        since then and follow new ones (gRPC LogService)
  sim [--seed-start S] [--runs N] [--nodes 3|5] [--verbose]
        run the deterministic Raft cluster simulator over seeds S..S+N-1
  version
        print the version
  help
        print this help

node options (flag, environment variable, default):
${optionsHelp()}
`;

function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const v = typeof pkg === 'object' && pkg !== null ? (pkg as Record<string, unknown>).version : undefined;
  return typeof v === 'string' ? v : 'unknown';
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { startMain } = await import('./cli/start.js');
      return startMain(rest);
    }
    case 'node': {
      const { nodeMain } = await import('./cli/start.js');
      return nodeMain(rest);
    }
    case 'cluster': {
      const { clusterUp, clusterDown, clusterStatus } = await import('./cli/cluster.js');
      const [sub, ...args] = rest;
      if (sub === 'drain' || sub === 'undrain') {
        const { drainMain, undrainMain } = await import('./cli/admin.js');
        return sub === 'drain' ? drainMain(args) : undrainMain(args);
      }
      if (sub === 'up') await clusterUp(args);
      else if (sub === 'down') await clusterDown(args);
      else if (sub === 'status') await clusterStatus(args);
      else throw new OptionError(`cluster: expected up, down, status, drain or undrain, got '${sub ?? ''}'`);
      return 0;
    }
    case 'logs': {
      const { logsMain } = await import('./cli/logs.js');
      return logsMain(rest);
    }
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
try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof OptionError)) throw err;
  process.stderr.write(`stratus: ${err.message}\n`);
  process.exitCode = 2;
}
