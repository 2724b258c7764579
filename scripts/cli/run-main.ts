/** Where a command writes its lines: stdout and stderr in the CLI, arrays in tests. */
export interface LineIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export const PROCESS_LINE_IO: LineIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

export interface CliCommand<Options, Clients> {
  /** Prefixes the command's error lines: `redrive: …`. */
  readonly name: string;
  readonly usage: string;
  /** Throws on a usage error (exit 2). */
  readonly readOptions: (argv: readonly string[], env: NodeJS.ProcessEnv) => Options | 'help';
  readonly clientsFor: (options: Options) => Clients;
  readonly closeClients?: (clients: Clients) => void;
  /** Resolves to the exit code; what it throws is printed and exits 1. */
  readonly run: (clients: Clients, options: Options, io: LineIo) => Promise<number>;
}

/**
 * The scripts' common frame: options (usage error: exit 2), help (exit 0), clients, the run,
 * an unexpected error as one line (exit 1), with a hint when --local finds nothing listening.
 */
export async function runCommand<Options extends object, Clients>(
  command: CliCommand<Options, Clients>,
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  // The SDK's notice about future Node versions is noise in a command's output.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let options: Options | 'help';
  try {
    options = command.readOptions(argv, env);
  } catch (error) {
    process.stderr.write(`${command.name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(command.usage);
    return 0;
  }
  const clients = command.clientsFor(options);
  try {
    return await command.run(clients, options, PROCESS_LINE_IO);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const local = 'local' in options && options.local === true;
    const hint = /ECONNREFUSED/.test(message) && local ? ' (is `npm start` running?)' : '';
    process.stderr.write(`${command.name}: ${message}${hint}\n`);
    return 1;
  } finally {
    command.closeClients?.(clients);
  }
}

/** The entry point: runs the command and exits with its code. */
export function runMain<Options extends object, Clients>(command: CliCommand<Options, Clients>): void {
  void runCommand(command).then((code) => process.exit(code));
}
