// First: V8 flags must be set before the rest of the code runs.
import '../util/v8-tuning.ts';
import { processContext } from './context.ts';
import { runCli } from './program.ts';

// Broken pipes (`gridwatch events | head`) end output quietly instead of crashing.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
});

process.exitCode = await runCli(processContext(), process.argv);
