// Network namespaces for partition tests: one namespace per node, joined by a bridge in the
// root namespace (which the test process reaches them through). Partitions are iptables DROP
// rules inside a node's namespace: the kernel here has no netem, and this needs only root.
import { execFileSync } from 'node:child_process';

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export class NetnsLab {
  readonly tag = Math.random().toString(36).slice(2, 7);
  readonly bridge = `sbr${this.tag}`;
  readonly subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  readonly namespaces: string[] = [];

  /** Why namespaces cannot be used here, or undefined when they can. */
  static unavailable(): string | undefined {
    if (process.getuid?.() !== 0) return 'network namespaces need root';
    for (const tool of ['ip', 'iptables']) {
      try {
        run('sh', ['-c', `command -v ${tool}`]);
      } catch {
        return `'${tool}' is not installed (apt-get install iproute2 iptables)`;
      }
    }
    return undefined;
  }

  hostIp(): string {
    return `${this.subnet}.254`;
  }

  ip(i: number): string {
    return `${this.subnet}.${i}`;
  }

  ns(i: number): string {
    return `stratus-${this.tag}-${i}`;
  }

  /** Creates the bridge and n namespaces; throws with the command's error if the kernel refuses. */
  create(n: number): void {
    run('ip', ['link', 'add', this.bridge, 'type', 'bridge']);
    run('ip', ['addr', 'add', `${this.hostIp()}/24`, 'dev', this.bridge]);
    run('ip', ['link', 'set', this.bridge, 'up']);
    for (let i = 1; i <= n; i++) {
      const ns = this.ns(i);
      const host = `sv${this.tag}${i}`;
      run('ip', ['netns', 'add', ns]);
      this.namespaces.push(ns);
      run('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      run('ip', ['link', 'set', host, 'master', this.bridge]);
      run('ip', ['link', 'set', host, 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${this.ip(i)}/24`, 'dev', 'eth0']);
      run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
  }

  /** Drops all traffic between node i and the given peers (both directions), leaving the host's. */
  isolate(i: number, peers: number[]): void {
    for (const p of peers) {
      run('ip', ['netns', 'exec', this.ns(i), 'iptables', '-A', 'INPUT', '-s', this.ip(p), '-j', 'DROP']);
      run('ip', ['netns', 'exec', this.ns(i), 'iptables', '-A', 'OUTPUT', '-d', this.ip(p), '-j', 'DROP']);
    }
  }

  heal(i: number): void {
    run('ip', ['netns', 'exec', this.ns(i), 'iptables', '-F']);
  }

  destroy(): void {
    for (const ns of this.namespaces) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        /* already gone */
      }
    }
    try {
      run('ip', ['link', 'del', this.bridge]);
    } catch {
      /* never created */
    }
  }
}
